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
  requirePositiveNumber,
  requireText,
  sameValue,
  TITLE_MAX_LENGTH,
} from '../shared/field-validation';
import { nullableQuantityTarget } from '../shared/quantity-target';
import {
  AcceptRectificationTask,
  ApproveDeadlineExtension,
  AssignRectificationTask,
  BreakDownRectificationTask,
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
  RequestedSubtask,
  SubtaskStatuses,
} from './rectification-task.commands';
import {
  RectificationTaskAccepted,
  RectificationTaskAssigned,
  RectificationTaskBrokenDown,
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
  SubtaskAssignment,
} from './rectification-task.events';
import {
  defaultSubtaskTitle,
  liesStrictlyBelow,
  MAX_SUBTASKS_PER_BREAKDOWN,
  openSubtaskIds,
  roundQuantity,
  sharesHeld,
  subtaskPlace,
} from './task-tree';
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
  const { parent } = data;
  // A top-level task is assigned by the inspection side, a sub-task by its parent's lead unit (逐级分解).
  authorizeRole(metadata.actor, parent ? ['unit'] : ['inspector'], command.type);
  const now = requireInstant(metadata.now, 'metadata.now');
  const taskId = requireId(data.taskId, 'taskId');
  if (parent && data.campaign) {
    throw new ValidationError('campaign', "a sub-task counts towards its parent's campaign, it names none itself");
  }
  const assigned: RectificationTaskAssigned['data'] = {
    taskId,
    findingId: requireId(data.findingId, 'findingId'),
    title: requireText(data.title, 'title', TITLE_MAX_LENGTH),
    regionId: requireId(data.regionId, 'regionId'),
    category: requireText(data.category, 'category', TITLE_MAX_LENGTH),
    leadUnitId: requireId(data.leadUnitId, 'leadUnitId'),
    cooperatingUnitIds: requireIdList(data.cooperatingUnitIds, 'cooperatingUnitIds'),
    deadline: requireLocalDate(data.deadline, 'deadline'),
    measures: requireText(data.measures, 'measures'),
    target: nullableQuantityTarget(data.target, 'target'),
    campaignId: parent
      ? parent.campaignId
      : data.campaign
        ? requireId(data.campaign.campaignId, 'campaign.campaignId')
        : null,
    assignedBy: metadata.actor.userId,
    parentTaskId: parent ? requireId(parent.taskId, 'parent.taskId') : null,
    rootTaskId: parent ? requireId(parent.rootTaskId, 'parent.rootTaskId') : taskId,
    depth: parent ? parent.depth + 1 : 0,
    assigningUnitId: parent ? requireId(parent.leadUnitId, 'parent.leadUnitId') : null,
    reminderPolicy: data.reminderPolicy ?? DEFAULT_REMINDER_POLICY,
  };
  if (parent && metadata.actor.unitId !== parent.leadUnitId) {
    throw new ForbiddenError('NOT_YOUR_UNIT', `task ${parent.taskId} is led by another unit`);
  }
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
  if (parent) checkSubtaskAssignment(assigned, parent);
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

/** What a sub-task's own stream holds to, whatever its parent decided. */
function checkSubtaskAssignment(
  assigned: RectificationTaskAssigned['data'],
  parent: NonNullable<AssignRectificationTask['data']['parent']>,
): void {
  if (assigned.cooperatingUnitIds.length > 0) {
    throw new ValidationError('cooperatingUnitIds', 'a sub-task has one unit; it may be broken down further instead');
  }
  if (assigned.leadUnitId === parent.leadUnitId) {
    throw new RuleViolationError(
      'SUBTASK_FOR_OWN_UNIT',
      `unit ${assigned.leadUnitId} cannot break a task down to itself`,
      'leadUnitId',
    );
  }
  if (compareLocalDates(assigned.deadline, parent.deadline) > 0) {
    throw new RuleViolationError(
      'SUBTASK_DEADLINE_AFTER_PARENT',
      `the deadline ${assigned.deadline} is after the parent task's deadline ${parent.deadline}`,
      'deadline',
    );
  }
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

function breakDown(command: BreakDownRectificationTask, state: RectificationTaskState): RectificationTaskBrokenDown[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['unit'], command.type);
  const now = requireInstant(metadata.now, 'metadata.now');
  const requested = requireRequestedSubtasks(data.subtasks);
  const task = requireStatus(command, state, ['accepted', 'in_progress']);
  const unitId = requireLeadUnit(metadata.actor, task);

  const titleOf = (r: RequestedSubtask, field: string) => {
    if (r.title !== null) return r.title;
    const unitName = data.unitNames?.[r.unitId];
    if (!unitName) throw new ValidationError(`${field}.unitId`, `unit ${r.unitId} does not exist`, 'UNKNOWN_UNIT');
    return defaultSubtaskTitle(task.title, unitName);
  };
  const known = requested.filter((r) => task.subtasks.some((s) => s.taskId === r.taskId));
  if (known.length > 0) {
    const resent =
      known.length === requested.length &&
      requested.every((r, i) => {
        const recorded = task.subtasks.find((s) => s.taskId === r.taskId)!;
        return sameValue(
          [
            recorded.leadUnitId,
            recorded.deadline,
            recorded.measures,
            recorded.title,
            recorded.target?.quantity ?? null,
          ],
          [r.unitId, r.deadline, r.measures, titleOf(r, `subtasks.${i}`), r.share],
        );
      });
    if (resent) return [];
    throw new RuleViolationError(
      'SUBTASK_ID_USED',
      `sub-task ${known[0].taskId} was already broken down with other content`,
      'subtasks',
    );
  }

  const leadRegionPath = data.unitRegionPaths[task.leadUnitId];
  if (!leadRegionPath || leadRegionPath.length === 0) {
    throw new ValidationError('unitRegionPaths', `the region of unit ${task.leadUnitId} is not known`);
  }
  const leadRegionId = leadRegionPath[leadRegionPath.length - 1];
  const today = shanghaiDateOf(now);
  const subtasks = requested.map((r, i): SubtaskAssignment => {
    const field = `subtasks.${i}`;
    if (r.unitId === task.leadUnitId) {
      throw new RuleViolationError(
        'SUBTASK_FOR_OWN_UNIT',
        `unit ${r.unitId} leads this task and cannot break it down to itself`,
        `${field}.unitId`,
      );
    }
    const unitRegionPath = data.unitRegionPaths[r.unitId];
    if (!unitRegionPath || unitRegionPath.length === 0) {
      throw new ValidationError(`${field}.unitId`, `unit ${r.unitId} does not exist`, 'UNKNOWN_UNIT');
    }
    if (!liesStrictlyBelow(unitRegionPath, leadRegionId) && !task.cooperatingUnitIds.includes(r.unitId)) {
      throw new RuleViolationError(
        'SUBTASK_UNIT_OUTSIDE_SUBTREE',
        `unit ${r.unitId} is neither a unit of a region below this unit's nor a cooperating unit of the task`,
        `${field}.unitId`,
      );
    }
    if (compareLocalDates(r.deadline, today) < 0) {
      throw new RuleViolationError(
        'DEADLINE_IN_PAST',
        `the deadline ${r.deadline} is before today (${today})`,
        `${field}.deadline`,
      );
    }
    if (compareLocalDates(r.deadline, task.deadline) > 0) {
      throw new RuleViolationError(
        'SUBTASK_DEADLINE_AFTER_PARENT',
        `the deadline ${r.deadline} is after this task's deadline ${task.deadline}`,
        `${field}.deadline`,
      );
    }
    if (r.share !== null && !task.target) {
      throw new RuleViolationError(
        'SHARE_WITHOUT_TARGET',
        'this task has no quantity target to share; leave share empty',
        `${field}.share`,
      );
    }
    return {
      taskId: r.taskId,
      title: titleOf(r, field),
      regionId: subtaskPlace(unitRegionPath, task.regionId),
      leadUnitId: r.unitId,
      deadline: r.deadline,
      measures: r.measures,
      target: r.share === null || !task.target ? null : { quantity: r.share, unit: task.target.unit },
    };
  });
  if (task.target) {
    const held = sharesHeld(task, data.subtaskStatuses);
    const added = roundQuantity(subtasks.reduce((sum, s) => sum + (s.target?.quantity ?? 0), 0));
    const ownDone = task.quantityDone ?? 0;
    if (roundQuantity(held + added + ownDone) > task.target.quantity) {
      throw new RuleViolationError(
        'SHARES_ABOVE_TARGET',
        `shares of ${added} ${task.target.unit} with ${held} shared before and ${ownDone} done by this unit itself ` +
          `come to more than the target of ${task.target.quantity} ${task.target.unit}`,
        'subtasks',
      );
    }
  }
  return [
    {
      type: 'RectificationTaskBrokenDown',
      data: { taskId: task.taskId, subtasks, brokenDownBy: { userId: metadata.actor.userId, unitId } },
    },
  ];
}

/** The sub-tasks a break-down asks for, checked field by field (`subtasks.<i>.<field>`). */
function requireRequestedSubtasks(value: unknown): BreakDownRectificationTask['data']['subtasks'] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError('subtasks', 'a break-down names at least one sub-task');
  }
  if (value.length > MAX_SUBTASKS_PER_BREAKDOWN) {
    throw new ValidationError('subtasks', `a break-down names at most ${MAX_SUBTASKS_PER_BREAKDOWN} sub-tasks`);
  }
  const subtasks = value.map((item: Record<string, unknown> | null, i) => {
    const field = `subtasks.${i}`;
    if (typeof item !== 'object' || item === null) throw new ValidationError(field, `${field} must be an object`);
    return {
      taskId: requireId(item.taskId, `${field}.taskId`),
      unitId: requireId(item.unitId, `${field}.unitId`),
      deadline: requireLocalDate(item.deadline, `${field}.deadline`),
      measures: requireText(item.measures, `${field}.measures`),
      title: nullableText(item.title, `${field}.title`, TITLE_MAX_LENGTH),
      share:
        item.share === null || item.share === undefined ? null : requirePositiveNumber(item.share, `${field}.share`),
    };
  });
  for (const key of ['taskId', 'unitId'] as const) {
    const ids = subtasks.map((s) => s[key]);
    const twice = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (twice >= 0) throw new ValidationError(`subtasks.${twice}.${key}`, `subtasks name ${ids[twice]} twice`);
  }
  return subtasks;
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

  if (quantityDone !== null) checkQuantityWithinTarget(task, quantityDone, data.subtaskStatuses);
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
  checkWithinParentDeadline(task, requestedDeadline, data.parentDeadline);
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
  authorizeChecker(command, state);
  const requestId = requireId(command.data.requestId, 'requestId');
  const task = requireStatus(command, state, EXTENSION_DECISION_STATUSES);
  if (task.extensionOutcomes[requestId] === 'approved') return [];
  const pending = requirePendingExtension(task, requestId);
  checkWithinParentDeadline(task, pending.requestedDeadline, command.data.parentDeadline);
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
  authorizeChecker(command, state);
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
  const open = openSubtaskIds(task, data.subtaskStatuses);
  if (open.length > 0) {
    throw new RuleViolationError(
      'SUBTASKS_OPEN',
      `sub-tasks ${open.join(', ')} are neither verified nor cancelled yet`,
      'subtasks',
    );
  }
  if (commandQuantity !== null) checkQuantityWithinTarget(task, commandQuantity, data.subtaskStatuses);
  if (task.target) {
    const ownPart = roundQuantity(task.target.quantity - sharesHeld(task, data.subtaskStatuses));
    if ((quantityDone ?? 0) !== ownPart) {
      const whose =
        ownPart === task.target.quantity ? '' : ` (this unit's own part ${ownPart}, the rest its sub-tasks')`;
      throw new RuleViolationError(
        'TARGET_NOT_MET',
        `the target is ${task.target.quantity} ${task.target.unit}${whose}, ${quantityDone ?? 0} done`,
        'quantityDone',
      );
    }
  }
  return [
    { type: 'RectificationTaskSubmitted', data: { taskId: task.taskId, report, evidence, quantityDone, submittedBy } },
  ];
}

function verify(command: VerifyRectification, state: RectificationTaskState): RectificationTaskVerified[] {
  const { data, metadata } = command;
  authorizeChecker(command, state);
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
  authorizeChecker(command, state);
  const reason = requireText(command.data.reason, 'reason');
  const task = requireStatus(command, state, ['submitted']);
  requireIndependentReviewer(command.metadata.actor, task);
  return [
    { type: 'RectificationTaskSentBack', data: { taskId: task.taskId, reason, sendBackCount: task.sendBackCount + 1 } },
  ];
}

function reassign(command: ReassignRectificationTask, state: RectificationTaskState): RectificationTaskReassigned[] {
  const { data } = command;
  authorizeChecker(command, state);
  const leadUnitId = requireId(data.leadUnitId, 'leadUnitId');
  const cooperatingUnitIds = requireIdList(data.cooperatingUnitIds, 'cooperatingUnitIds');
  const reason = requireText(data.reason, 'reason');
  const task = requireStatus(command, state, ['assigned', 'accepted', 'in_progress']);
  if (task.parentTaskId !== null) {
    throw new RuleViolationError(
      'SUBTASK_NOT_REASSIGNABLE',
      `sub-task ${task.taskId} is not reassigned: cancel it with a reason and break its parent down again`,
    );
  }
  const open = openSubtaskIds(task, data.subtaskStatuses);
  if (open.length > 0) {
    // The new lead unit would have to check sub-tasks the old one handed out.
    throw new RuleViolationError(
      'SUBTASKS_OPEN',
      `sub-tasks ${open.join(', ')} are neither verified nor cancelled yet`,
      'subtasks',
    );
  }
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
  authorizeChecker(command, state);
  const reason = requireText(command.data.reason, 'reason');
  const task = requireStatus(command, state, ['assigned', 'accepted', 'in_progress', 'submitted', 'cancelled']);
  if (task.status === 'cancelled') {
    if (task.cancelReason === reason) return [];
    throw new IllegalTransitionError(command.type, task.status);
  }
  // The canceller cancels (or verifies) the sub-tasks first: a cancelled parent never leaves work open below it.
  const open = openSubtaskIds(task, command.data.subtaskStatuses);
  if (open.length > 0) {
    throw new RuleViolationError(
      'SUBTASKS_OPEN',
      `sub-tasks ${open.join(', ')} are neither verified nor cancelled yet: cancel them first`,
      'subtasks',
    );
  }
  return [{ type: 'RectificationTaskCancelled', data: { taskId: task.taskId, reason } }];
}

function reopen(command: ReopenRectificationTask, state: RectificationTaskState): RectificationTaskReopened[] {
  const { data, metadata } = command;
  authorizeChecker(command, state);
  const now = requireInstant(metadata.now, 'metadata.now');
  const reason = requireText(data.reason, 'reason');
  const deadline = requireLocalDate(data.deadline, 'deadline');
  const task = requireStatus(command, state, ['closed']);
  const today = shanghaiDateOf(now);
  if (compareLocalDates(deadline, today) < 0) {
    throw new RuleViolationError('DEADLINE_IN_PAST', `the deadline ${deadline} is before today (${today})`, 'deadline');
  }
  checkReopenUnderParent(task, deadline, data.parentStatus, data.parentDeadline);
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

/**
 * Who checks a task (verifies, sends back, decides extensions, reassigns, cancels, reopens): the inspection side for
 * a top-level task, a user of the unit that broke its parent down for a sub-task.
 */
function authorizeChecker(command: RectificationTaskCommand, state: RectificationTaskState): void {
  const { actor } = command.metadata;
  if (state.status === 'none' || state.assigningUnitId === null) {
    return authorizeRole(actor, ['inspector'], command.type);
  }
  authorizeRole(actor, ['unit'], command.type);
  if (actor.unitId !== state.assigningUnitId) {
    throw new ForbiddenError(
      'NOT_ASSIGNING_UNIT',
      `task ${state.taskId} is a sub-task, checked by the unit that broke its parent down`,
    );
  }
}

/** A sub-task is reopened only under a parent still open, by a deadline no later than the parent's in force. */
function checkReopenUnderParent(
  task: AssignedRectificationTask,
  deadline: string,
  parentStatus: TaskStatus | null,
  parentDeadline: string | null,
): void {
  if (task.parentTaskId === null) return;
  if (parentStatus === null || parentDeadline === null) {
    throw new ValidationError('parentStatus', `the status of parent task ${task.parentTaskId} is not known`);
  }
  if (parentStatus === 'closed' || parentStatus === 'cancelled') {
    throw new RuleViolationError(
      'PARENT_NOT_OPEN',
      `parent task ${task.parentTaskId} is ${parentStatus}: reopen the parent first`,
      'parentTaskId',
    );
  }
  if (compareLocalDates(deadline, parentDeadline) > 0) {
    throw new RuleViolationError(
      'REOPEN_AFTER_PARENT_DEADLINE',
      `the deadline ${deadline} is after the parent task's deadline ${parentDeadline}`,
      'deadline',
    );
  }
}

/** A sub-task's deadline never passes its parent's (the parent's unit asks upward first). */
function checkWithinParentDeadline(
  task: AssignedRectificationTask,
  requestedDeadline: string,
  parentDeadline: string | null,
): void {
  if (task.parentTaskId === null) return;
  if (parentDeadline === null) {
    throw new ValidationError('parentDeadline', `the deadline of parent task ${task.parentTaskId} is not known`);
  }
  if (compareLocalDates(requestedDeadline, parentDeadline) > 0) {
    throw new RuleViolationError(
      'EXTENSION_AFTER_PARENT_DEADLINE',
      `the requested deadline ${requestedDeadline} is after the parent task's deadline ${parentDeadline}; ` +
        'the parent must be extended first',
      'requestedDeadline',
    );
  }
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

/** A unit's own quantity done stays within the target, less the shares its sub-tasks hold. */
function checkQuantityWithinTarget(
  task: AssignedRectificationTask,
  quantityDone: number,
  subtaskStatuses: SubtaskStatuses,
): void {
  if (!task.target)
    throw new ValidationError('quantityDone', 'this task has no quantity target; leave quantityDone empty');
  const shared = sharesHeld(task, subtaskStatuses);
  if (shared > 0 && quantityDone > roundQuantity(task.target.quantity - shared)) {
    throw new RuleViolationError(
      'QUANTITY_ABOVE_OWN_PART',
      `${quantityDone} is more than this unit's own part: the target of ${task.target.quantity} ` +
        `${task.target.unit} less ${shared} shared out to sub-tasks`,
      'quantityDone',
    );
  }
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
    case 'BreakDownRectificationTask':
      return breakDown(command, state);
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
