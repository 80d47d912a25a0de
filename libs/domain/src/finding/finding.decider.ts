import { assertNever, Decider, IllegalTransitionError, ValidationError } from '../shared';
import { authorizeRole } from '../shared/authorization';
import { requireEvidenceList } from '../shared/evidence';
import {
  optionalText,
  requireId,
  requireOneOf,
  requireText,
  sameValue,
  TITLE_MAX_LENGTH,
} from '../shared/field-validation';
import { TASK_STATUSES, TaskStatus } from '../rectification-task';
import { FileFinding, FindingCommand, LinkTaskToFinding, ReconcileFindingResolution } from './finding.commands';
import { FindingEvent, FindingFiled, FindingReopened, FindingResolved, FindingTaskLinked } from './finding.events';
import { evolveFinding, FiledFinding, FindingState, initialFindingState, SEVERITIES } from './finding.state';

const FINISHED: readonly TaskStatus[] = ['closed', 'cancelled'];

function file(command: FileFinding, state: FindingState): FindingFiled[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['inspector'], command.type);
  const filed: FindingFiled['data'] = {
    findingId: requireId(data.findingId, 'findingId'),
    title: requireText(data.title, 'title', TITLE_MAX_LENGTH),
    description: optionalText(data.description, 'description'),
    regionId: requireId(data.regionId, 'regionId'),
    category: requireText(data.category, 'category', TITLE_MAX_LENGTH),
    severity: requireOneOf(data.severity, SEVERITIES, 'severity'),
    source: optionalText(data.source, 'source', TITLE_MAX_LENGTH),
    evidence: requireEvidenceList(data.evidence ?? [], 'evidence'),
    filedBy: metadata.actor.userId,
  };
  if (state.status !== 'none') {
    const { taskIds: _taskIds, status: _status, ...recorded } = state;
    if (sameValue({ ...recorded, filedBy: null }, { ...filed, filedBy: null })) return [];
    throw new IllegalTransitionError(command.type, state.status, `finding ${state.findingId} has already been filed`);
  }
  return [{ type: 'FindingFiled', data: filed }];
}

function linkTask(command: LinkTaskToFinding, state: FindingState): (FindingTaskLinked | FindingReopened)[] {
  authorizeRole(command.metadata.actor, ['inspector'], command.type);
  const taskId = requireId(command.data.taskId, 'taskId');
  const finding = requireFiled(command, state);
  if (finding.taskIds.includes(taskId)) return [];
  const linked: FindingTaskLinked = { type: 'FindingTaskLinked', data: { findingId: finding.findingId, taskId } };
  if (finding.status === 'open') return [linked];
  return [linked, { type: 'FindingReopened', data: { findingId: finding.findingId, reason: `task ${taskId} linked` } }];
}

function reconcile(command: ReconcileFindingResolution, state: FindingState): (FindingResolved | FindingReopened)[] {
  // Issued by the system on behalf of whoever changed a task, so no role is checked.
  const reported = requireTaskStatuses(command.data.tasks);
  const finding = requireFiled(command, state);
  const statuses = finding.taskIds.map((taskId) => ({ taskId, status: reported.get(taskId) }));

  if (finding.status === 'open') {
    const allFinished = statuses.every(({ status }) => status !== undefined && FINISHED.includes(status));
    const someClosed = statuses.some(({ status }) => status === 'closed');
    if (!allFinished || !someClosed) return [];
    return [{ type: 'FindingResolved', data: { findingId: finding.findingId, taskIds: finding.taskIds } }];
  }
  // A task that was not reported says nothing about the finding: only a task known to be open again reopens it.
  const reopened = statuses.find(({ status }) => status !== undefined && !FINISHED.includes(status));
  if (!reopened) return [];
  return [
    { type: 'FindingReopened', data: { findingId: finding.findingId, reason: `task ${reopened.taskId} reopened` } },
  ];
}

function requireTaskStatuses(value: unknown): Map<string, TaskStatus> {
  if (!Array.isArray(value)) throw new ValidationError('tasks', 'tasks must be a list');
  const statuses = new Map<string, TaskStatus>();
  value.forEach((item: unknown, i) => {
    const { taskId, status } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    statuses.set(requireId(taskId, `tasks[${i}].taskId`), requireOneOf(status, TASK_STATUSES, `tasks[${i}].status`));
  });
  return statuses;
}

function requireFiled(command: FindingCommand, state: FindingState): FiledFinding {
  if (state.status === 'none') {
    throw new IllegalTransitionError(
      command.type,
      'none',
      `${command.type} is not allowed: the finding has not been filed`,
    );
  }
  return state;
}

export function decideFinding(command: FindingCommand, state: FindingState): FindingEvent[] {
  switch (command.type) {
    case 'FileFinding':
      return file(command, state);
    case 'LinkTaskToFinding':
      return linkTask(command, state);
    case 'ReconcileFindingResolution':
      return reconcile(command, state);
    default:
      return assertNever(command);
  }
}

/** The finding (问题) stream: `finding-<findingId>`. */
export const findingDecider: Decider<FindingCommand, FindingEvent, FindingState> = {
  initialState: initialFindingState,
  evolve: evolveFinding,
  decide: decideFinding,
};
