import { DomainEvent, EvidenceRef } from '../shared';
import type { Severity } from './finding.state';

export type FindingFiled = DomainEvent<
  'FindingFiled',
  {
    findingId: string;
    title: string;
    description: string;
    regionId: string;
    category: string;
    severity: Severity;
    source: string;
    evidence: readonly EvidenceRef[];
    filedBy: string;
  }
>;

export type FindingTaskLinked = DomainEvent<'FindingTaskLinked', { findingId: string; taskId: string }>;

export type FindingResolved = DomainEvent<'FindingResolved', { findingId: string; taskIds: readonly string[] }>;

export type FindingReopened = DomainEvent<'FindingReopened', { findingId: string; reason: string }>;

export type FindingEvent = FindingFiled | FindingTaskLinked | FindingResolved | FindingReopened;

export function findingStreamName(findingId: string): string {
  return `finding-${findingId}`;
}
