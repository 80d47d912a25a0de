import {
  Actor,
  assertNever,
  compareLocalDates,
  Decider,
  ForbiddenError,
  IllegalTransitionError,
  isPastDeadline,
  NotFoundError,
  RuleViolationError,
  shanghaiDateOf,
  ValidationError,
} from '../shared';
import { DEFAULT_REMINDER_POLICY } from '../reminders/reminder-policy';
import { authorizeRole } from '../shared/authorization';
import { requireEvidenceList } from '../shared/evidence';
import {
  nullableNonNegativeNumber,
  nullableText,
  optionalText,
  requireId,
  requireIdList,
  requireInstant,
  requireLocalDate,
  requireText,
  sameValue,
  TITLE_MAX_LENGTH,
} from '../shared/field-validation';
import { nullableQuantityTarget } from '../shared/quantity-target';
import {
  AcceptRectificationTask,
  ApproveDeadlineExtension,
  AssignRectificationTask,
  CancelRectificationTask,
  RecordRectificationPlan,
  RectificationTaskCommand,
  ReassignRectificationTask,
  RefuseDeadlineExtension,
  ReopenRectificationTask,
  ReportRectificationProgress,
  RequestDeadlineExtension,
  SendBackRectification,
  SubmitRectification,
  VerifyRectification,
  RecordTaskReminder,
  MarkTaskReminderRead,
} from './rectification-task.commands';
import {
  RectificationTaskAccepted,
  RectificationTaskAssigned,
  RectificationTaskCancelled,
  RectificationTaskEvent,
  RectificationTaskExtensionApproved,
  RectificationTaskExtensionRefused,
  RectificationTaskExtensionRequested,
  RectificationTaskPlanRecorded,
  RectificationTaskProgressReported,
  RectificationTaskReassigned,
  RectificationTaskReopened,
  RectificationTaskSentBack,
  RectificationTaskSubmitted,
  RectificationTaskVerified,
  RectificationTaskReminded,
  RectificationTaskEscalated,
  RectificationTaskReminderRead,
} from './rectification-task.events';
import { remindersToSchedule } from './rectification-task.reminders';
import {
  AssignedRectificationTask,
  evolveRectificationTask,
  initialRectificationTaskState,
  RectificationTaskState,
  TaskStatus,
} from './rectification-task.state';

// Each decision checks, in order: the actor's role, the command's own input, the task's status, the actor's
// unit, whether the command is a resend that would change nothing, and then the business rules.

function assign(command: AssignRectificationTask, state: RectificationTaskState): RectificationTaskAssigned[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['inspector'], command.type);
  const now = requireInstant(metadata.now, 'metadata.now');
  const assigned: RectificationTaskAssigned['data'] = {
    taskId: requireId(data.taskId, 'taskId'),
    findingId: requireId(data.findingId, 'findingId'),
    title: requireText(data.title, 'title', TITLE_MAX_LENGTH),
    regionId: requireId(data.regionId, 'regionId'),
    category: requireText(data.category, 'category', TITLE_MAX_LENGTH),
    leadUnitId: requireId(data.leadUnitId, 'leadUnitId'),
    cooperatingUnitIds: requireIdList(data.cooperatingUnitIds, 'cooperatingUnitIds'),
    deadline: requireLocalDate(data.deadline, 'deadline'),
    measures: requireText(data.measures, 'measures'),
    target: nullableQuantityTarget(data.target, 'target'),
    campaignId: data.campaign ? requireId(data.campaign.campaignId, 'campaign.campaignId') : null,
    assignedBy: metadata.actor.userId,
    reminderPolicy: data.reminderPolicy ?? DEFAULT_REMINDER_POLICY,
  };
  const campaignDeadline = data.campaign ? requireLocalDate(data.campaign.deadline, 'campaign.deadline') : null;

  if (state.status !== 'none') {
    const { reminderPolicy: _pinned, ...recorded } = state.assignment;
    const { reminderPolicy: _inForce, ...resent } = assigned;
    if (sameValue({ ...recorded, assignedBy: null }, { ...resent, assignedBy: null })) return [];
    throw new IllegalTransitionError(command.type, state.status, `task ${state.taskId} has already been assigned`);
  }

  if (assigned.cooperatingUnitIds.includes(assigned.leadUnitId)) {
    throw new RuleViolationError(
      'LEAD_UNIT_ALSO_COOPERATING',
      'the lead unit cannot also be a cooperating unit',
      'cooperatingUnitIds',
    );
  }
  const today = shanghaiDateOf(now);
  if (compareLocalDates(assigned.deadline, today) < 0) {
    throw new RuleViolationError(
      'DEADLINE_IN_PAST',
      `the deadline ${assigned.deadline} is before today (${today})`,
      'deadline',
    );
  }
  if (campaignDeadline !== null && compareLocalDates(assigned.deadline, campaignDeadline) > 0) {
    throw new RuleViolationError(
      'DEADLINE_AFTER_CAMPAIGN',
      `the deadline ${assigned.deadline} is after the campaign's deadline ${campaignDeadline}`,
      'deadline',
    );
  }
  return [{ type: 'RectificationTaskAssigned', data: assigned }];
}

function accept(command: AcceptRectificationTask, state: RectificationTaskState): RectificationTaskAccepted[] {
  authorizeRole(command.metadata.actor, ['unit'], command.type);
  const task = requireStatus(command, state, ['assigned', 'accepted']);
  const unitId = requireLeadUnit(command.metadata.actor, task);
  if (task.status === 'accepted') return [];
  return [{ type: 'RectificationTaskAccepted', data: { taskId: task.taskId, unitId } }];
}

function recordPlan(command: RecordRectificationPlan, state: RectificationTaskState): RectificationTaskPlanRecorded[] {
  authorizeRole(command.metadata.actor, ['unit'], command.type);
  const plan = requireText(command.data.plan, 'plan');
  const task = requireStatus(command, state, ['accepted', 'in_progress']);
  requireLeadUnit(command.metadata.actor, task);
  if (task.status === 'in_progress' && task.plan === plan) return [];
  return [{ type: 'RectificationTaskPlanRecorded', data: { taskId: task.taskId, plan } }];
}

function reportProgress(
  command: ReportRectificationProgress,
  state: RectificationTaskState,
): RectificationTaskProgressReported[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['unit'], command.type);
  const quantityDone = nullableNonNegativeNumber(data.quantityDone, 'quantityDone');
  const note = optionalText(data.note, 'note');
  const evidence = requireEvidenceList(data.evidence ?? [], 'evidence');
  if (quantityDone === null && note === '') {
    throw new ValidationError('note', 'a progress report needs a note or a quantity done');
  }
  const task = requireStatus(command, state, ['accepted', 'in_progress']);
  const unitId = requireTaskUnit(metadata.actor, task);
  const report = { unitId, quantityDone, note, evidence };
  if (task.status === 'in_progress' && sameValue(task.lastProgress, report)) return [];

  if (quantityDone !== null) checkQuantityWithinTarget(task, quantityDone);
  return [{ type: 'RectificationTaskProgressReported', data: { taskId: task.taskId, ...report } }];
}

function requestExtension(
  command: RequestDeadlineExtension,
  state: RectificationTaskState,
): RectificationTaskExtensionRequested[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['unit'], command.type);
  const now = requireInstant(metadata.now, 'metadata.now');
  const requestId = requireId(data.requestId, 'requestId');
  const requestedDeadline = requireLocalDate(data.requestedDeadline, 'requestedDeadline');
  const reason = requireText(data.reason, 'reason');
  const task = requireStatus(command, state, ['accepted', 'in_progress']);
  requireLeadUnit(metadata.actor, task);

  if (task.extensionRequestIds.includes(requestId)) {
    const pending = task.pendingExtension;
    if (
      pending?.requestId === requestId &&
      pending.requestedDeadline === requestedDeadline &&
      pending.reason === reason
    ) {
      return [];
    }
    throw new RuleViolationError(
      'EXTENSION_REQUEST_ID_USED',
      `extension request ${requestId} was already made with other content or has been decided`,
      'requestId',
    );
  }
  if (task.pendingExtension) {
    throw new RuleViolationError(
      'EXTENSION_ALREADY_PENDING',
      `extension request ${task.pendingExtension.requestId} is still waiting for a decision`,
      'requestId',
    );
  }
  if (isPastDeadline(task.deadline, now)) {
    throw new RuleViolationError(
      'EXTENSION_AFTER_DEADLINE',
      `an extension must be asked for before the deadline ${task.deadline} has passed`,
      'requestedDeadline',
    );
  }
  if (compareLocalDates(requestedDeadline, task.deadline) <= 0) {
    throw new RuleViolationError(
      'EXTENSION_NOT_LATER',
      `the requested deadline ${requestedDeadline} is not later than the current deadline ${task.deadline}`,
      'requestedDeadline',
    );
  }
  return [
    {
      type: 'RectificationTaskExtensionRequested',
      data: { taskId: task.taskId, requestId, currentDeadline: task.deadline, requestedDeadline, reason },
    },
  ];
}

/** Statuses in which an extension request can be waiting for a decision. */
const EXTENSION_DECISION_STATUSES: readonly TaskStatus[] = ['accepted', 'in_progress', 'submitted'];

function approveExtension(
  command: ApproveDeadlineExtension,
  state: RectificationTaskState,
): RectificationTaskExtensionApproved[] {
  authorizeRole(command.metadata.actor, ['inspector'], command.type);
  const requestId = requireId(command.data.requestId, 'requestId');
  const task = requireStatus(command, state, EXTENSION_DECISION_STATUSES);
  if (task.extensionOutcomes[requestId] === 'approved') return [];
  const pending = requirePendingExtension(task, requestId);
  return [
    {
      type: 'RectificationTaskExtensionApproved',
      data: { taskId: task.taskId, requestId, previousDeadline: task.deadline, newDeadline: pending.requestedDeadline },
    },
  ];
}

function refuseExtension(
  command: RefuseDeadlineExtension,
  state: RectificationTaskState,
): RectificationTaskExtensionRefused[] {
  authorizeRole(command.metadata.actor, ['inspector'], command.type);
  const requestId = requireId(command.data.requestId, 'requestId');
  const reason = requireText(command.data.reason, 'reason');
  const task = requireStatus(command, state, EXTENSION_DECISION_STATUSES);
  if (task.extensionOutcomes[requestId] === 'refused') return [];
  requirePendingExtension(task, requestId);
  return [{ type: 'RectificationTaskExtensionRefused', data: { taskId: task.taskId, requestId, reason } }];
}

function submit(command: SubmitRectification, state: RectificationTaskState): RectificationTaskSubmitted[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['unit'], command.type);
  const report = requireText(data.report, 'report');
  const evidence = requireEvidenceList(data.evidence, 'evidence');
  const commandQuantity = nullableNonNegativeNumber(data.quantityDone, 'quantityDone');
  const task = requireStatus(command, state, ['in_progress', 'submitted']);
  const unitId = requireLeadUnit(metadata.actor, task);
  const quantityDone = commandQuantity ?? task.quantityDone;
  const submittedBy = { userId: metadata.actor.userId, unitId };

  if (task.status === 'submitted') {
    const resent = sameValue(
      { submission: task.submission, submittedBy: task.submittedBy, quantityDone: task.quantityDone },
      { submission: { report, evidence }, submittedBy, quantityDone },
    );
    if (resent) return [];
    throw new IllegalTransitionError(command.type, task.status);
  }

  if (evidence.length === 0) {
    throw new RuleViolationError(
      'EVIDENCE_REQUIRED',
      'a submission needs at least one piece of supporting evidence',
      'evidence',
    );
  }
  if (commandQuantity !== null) checkQuantityWithinTarget(task, commandQuantity);
  if (task.target && quantityDone !== task.target.quantity) {
    throw new RuleViolationError(
      'TARGET_NOT_MET',
      `the target is ${task.target.quantity} ${task.target.unit}, ${quantityDone ?? 0} done`,
      'quantityDone',
    );
  }
  return [
    { type: 'RectificationTaskSubmitted', data: { taskId: task.taskId, report, evidence, quantityDone, submittedBy } },
  ];
}

function verify(command: VerifyRectification, state: RectificationTaskState): RectificationTaskVerified[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['inspector'], command.type);
  const note = nullableText(data.note, 'note');
  const task = requireStatus(command, state, ['submitted', 'closed']);
  requireIndependentReviewer(metadata.actor, task);
  if (task.status === 'closed') return [];
  return [
    {
      type: 'RectificationTaskVerified',
      data: {
        taskId: task.taskId,
        note,
        verifiedBy: { userId: metadata.actor.userId, unitId: metadata.actor.unitId ?? null },
      },
    },
  ];
}

function sendBack(command: SendBackRectification, state: RectificationTaskState): RectificationTaskSentBack[] {
  authorizeRole(command.metadata.actor, ['inspector'], command.type);
  const reason = requireText(command.data.reason, 'reason');
  const task = requireStatus(command, state, ['submitted']);
  requireIndependentReviewer(command.metadata.actor, task);
  return [
    { type: 'RectificationTaskSentBack', data: { taskId: task.taskId, reason, sendBackCount: task.sendBackCount + 1 } },
  ];
}

function reassign(command: ReassignRectificationTask, state: RectificationTaskState): RectificationTaskReassigned[] {
  const { data } = command;
  authorizeRole(command.metadata.actor, ['inspector'], command.type);
  const leadUnitId = requireId(data.leadUnitId, 'leadUnitId');
  const cooperatingUnitIds = requireIdList(data.cooperatingUnitIds, 'cooperatingUnitIds');
  const reason = requireText(data.reason, 'reason');
  const task = requireStatus(command, state, ['assigned', 'accepted', 'in_progress']);
  if (leadUnitId === task.leadUnitId) {
    throw new RuleViolationError('SAME_LEAD_UNIT', `unit ${leadUnitId} already leads this task`, 'leadUnitId');
  }
  if (cooperatingUnitIds.includes(leadUnitId)) {
    throw new RuleViolationError(
      'LEAD_UNIT_ALSO_COOPERATING',
      'the lead unit cannot also be a cooperating unit',
      'cooperatingUnitIds',
    );
  }
  return [
    {
      type: 'RectificationTaskReassigned',
      data: { taskId: task.taskId, previousLeadUnitId: task.leadUnitId, leadUnitId, cooperatingUnitIds, reason },
    },
  ];
}

function cancel(command: CancelRectificationTask, state: RectificationTaskState): RectificationTaskCancelled[] {
  authorizeRole(command.metadata.actor, ['inspector'], command.type);
  const reason = requireText(command.data.reason, 'reason');
  const task = requireStatus(command, state, ['assigned', 'accepted', 'in_progress', 'submitted', 'cancelled']);
  if (task.status === 'cancelled') {
    if (task.cancelReason === reason) return [];
    throw new IllegalTransitionError(command.type, task.status);
  }
  return [{ type: 'RectificationTaskCancelled', data: { taskId: task.taskId, reason } }];
}

function reopen(command: ReopenRectificationTask, state: RectificationTaskState): RectificationTaskReopened[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['inspector'], command.type);
  const now = requireInstant(metadata.now, 'metadata.now');
  const reason = requireText(data.reason, 'reason');
  const deadline = requireLocalDate(data.deadline, 'deadline');
  const task = requireStatus(command, state, ['closed']);
  const today = shanghaiDateOf(now);
  if (compareLocalDates(deadline, today) < 0) {
    throw new RuleViolationError('DEADLINE_IN_PAST', `the deadline ${deadline} is before today (${today})`, 'deadline');
  }
  return [
    {
      type: 'RectificationTaskReopened',
      data: {
        taskId: task.taskId,
        reason,
        previousDeadline: task.deadline,
        deadline,
        reopenCount: task.reopenCount + 1,
      },
    },
  ];
}

function recordReminder(
  command: RecordTaskReminder,
  state: RectificationTaskState,
): Array<RectificationTaskReminded | RectificationTaskEscalated> {
  const { data, metadata } = command;
  if (metadata.actor.role !== 'system') {
    throw new ForbiddenError('SYSTEM_ONLY', 'reminders are recorded by the engine when they fall due');
  }
  const now = requireInstant(metadata.now, 'metadata.now');
  if (state.status === 'none') throw new NotFoundError('task', 'unknown');
  const owed = remindersToSchedule(state, now).find(
    (r) => r.level.level === data.level && r.deadlineVersion === data.deadlineVersion,
  );
  // Closed, cancelled, the deadline moved, already recorded, overtaken by a later level, or not due yet.
  if (!owed || Date.parse(owed.dueAt) > Date.parse(now)) return [];
  const recorded = {
    taskId: state.taskId,
    title: state.title,
    regionId: state.regionId,
    reminderId: owed.reminderId,
    level: owed.level.level,
    label: owed.level.label,
    deadline: state.deadline,
    deadlineVersion: state.deadlineVersion,
    dueAt: owed.dueAt,
    policy: { id: state.reminderPolicy.id, version: state.reminderPolicy.version },
    recipients: data.recipients,
  };
  return owed.level.kind === 'reminder'
    ? [{ type: 'RectificationTaskReminded', data: recorded }]
    : [{ type: 'RectificationTaskEscalated', data: recorded }];
}

function markReminderRead(
  command: MarkTaskReminderRead,
  state: RectificationTaskState,
): RectificationTaskReminderRead[] {
  const { actor } = command.metadata;
  const reminderId = requireText(command.data.reminderId, 'reminderId', 100);
  if (state.status === 'none') throw new NotFoundError('task', 'unknown');
  const reminder = state.reminders.find((r) => r.reminderId === reminderId);
  // One not sent to this account is, for it, not there at all.
  if (!reminder || !reminder.sentTo.includes(actor.userId)) throw new NotFoundError('reminder', reminderId);
  if (reminder.readBy.includes(actor.userId)) return [];
  return [
    {
      type: 'RectificationTaskReminderRead',
      data: { taskId: state.taskId, reminderId, readBy: { userId: actor.userId, username: actor.username } },
    },
  ];
}

function requireStatus(
  command: RectificationTaskCommand,
  state: RectificationTaskState,
  allowed: readonly TaskStatus[],
): AssignedRectificationTask {
  if (state.status === 'none') {
    throw new IllegalTransitionError(
      command.type,
      'none',
      `${command.type} is not allowed: the task has not been assigned`,
    );
  }
  if (!allowed.includes(state.status)) throw new IllegalTransitionError(command.type, state.status);
  return state;
}

/** The acting unit user's unit, which must lead the task. */
function requireLeadUnit(actor: Actor, task: AssignedRectificationTask): string {
  if (!actor.unitId || actor.unitId !== task.leadUnitId) {
    throw new ForbiddenError('NOT_YOUR_UNIT', `task ${task.taskId} is led by another unit`);
  }
  return actor.unitId;
}

/** The acting unit user's unit, which must lead the task or cooperate on it. */
function requireTaskUnit(actor: Actor, task: AssignedRectificationTask): string {
  if (!actor.unitId || (actor.unitId !== task.leadUnitId && !task.cooperatingUnitIds.includes(actor.unitId))) {
    throw new ForbiddenError('NOT_YOUR_UNIT', `task ${task.taskId} is not one of your unit's tasks`);
  }
  return actor.unitId;
}

/** Separation of duties: whoever signs off (or sends back) did not do, nor submit, the work. */
function requireIndependentReviewer(actor: Actor, task: AssignedRectificationTask): void {
  const workingUnits = [task.leadUnitId, ...task.cooperatingUnitIds];
  if ((actor.unitId && workingUnits.includes(actor.unitId)) || actor.userId === task.submittedBy?.userId) {
    throw new ForbiddenError('SELF_SIGN_OFF', 'the work must be signed off by someone outside the units that did it');
  }
}

function requirePendingExtension(task: AssignedRectificationTask, requestId: string) {
  if (task.pendingExtension?.requestId !== requestId) {
    throw new RuleViolationError(
      'EXTENSION_NOT_PENDING',
      `no extension request ${requestId} is waiting for a decision`,
      'requestId',
    );
  }
  return task.pendingExtension;
}

function checkQuantityWithinTarget(task: AssignedRectificationTask, quantityDone: number): void {
  if (!task.target)
    throw new ValidationError('quantityDone', 'this task has no quantity target; leave quantityDone empty');
  if (quantityDone > task.target.quantity) {
    throw new RuleViolationError(
      'QUANTITY_ABOVE_TARGET',
      `${quantityDone} is more than the target of ${task.target.quantity} ${task.target.unit}`,
      'quantityDone',
    );
  }
}

export function decideRectificationTask(
  command: RectificationTaskCommand,
  state: RectificationTaskState,
): RectificationTaskEvent[] {
  switch (command.type) {
    case 'AssignRectificationTask':
      return assign(command, state);
    case 'AcceptRectificationTask':
      return accept(command, state);
    case 'RecordRectificationPlan':
      return recordPlan(command, state);
    case 'ReportRectificationProgress':
      return reportProgress(command, state);
    case 'RequestDeadlineExtension':
      return requestExtension(command, state);
    case 'ApproveDeadlineExtension':
      return approveExtension(command, state);
    case 'RefuseDeadlineExtension':
      return refuseExtension(command, state);
    case 'SubmitRectification':
      return submit(command, state);
    case 'VerifyRectification':
      return verify(command, state);
    case 'SendBackRectification':
      return sendBack(command, state);
    case 'ReassignRectificationTask':
      return reassign(command, state);
    case 'CancelRectificationTask':
      return cancel(command, state);
    case 'ReopenRectificationTask':
      return reopen(command, state);
    case 'RecordTaskReminder':
      return recordReminder(command, state);
    case 'MarkTaskReminderRead':
      return markReminderRead(command, state);
    default:
      return assertNever(command);
  }
}

/** The rectification task (整改任务) stream: `rectificationTask-<taskId>`. */
export const rectificationTaskDecider: Decider<
  RectificationTaskCommand,
  RectificationTaskEvent,
  RectificationTaskState
> = {
  initialState: initialRectificationTaskState,
  evolve: evolveRectificationTask,
  decide: decideRectificationTask,
};
