import { EvidenceRef } from '../shared';
import { FindingEvent } from './finding.events';

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = {
  low: '一般',
  medium: '较重',
  high: '严重',
};

export const FINDING_STATUSES = ['open', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export interface FindingDetails {
  readonly findingId: string;
  readonly title: string;
  readonly description: string;
  readonly regionId: string;
  readonly category: string;
  readonly severity: Severity;
  readonly source: string;
  readonly evidence: readonly EvidenceRef[];
  /** The finding's rectification tasks, in the order they were linked. */
  readonly taskIds: readonly string[];
  readonly filedBy: string;
}

export type FiledFinding = { [S in FindingStatus]: FindingDetails & { readonly status: S } }[FindingStatus];

export type FindingState = { readonly status: 'none' } | FiledFinding;

export function initialFindingState(): FindingState {
  return { status: 'none' };
}

export function evolveFinding(state: FindingState, event: FindingEvent): FindingState {
  if (event.type === 'FindingFiled') {
    const { filedBy, ...details } = event.data;
    return { status: 'open', ...details, filedBy, taskIds: [] };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'FindingTaskLinked':
      return state.taskIds.includes(event.data.taskId)
        ? state
        : { ...state, taskIds: [...state.taskIds, event.data.taskId] };
    case 'FindingResolved':
      return { ...state, status: 'resolved' };
    case 'FindingReopened':
      return { ...state, status: 'open' };
    default: {
      event satisfies never;
      return state;
    }
  }
}
