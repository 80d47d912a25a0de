import { ReminderPolicy } from '../reminders/reminder-policy';
import { EvidenceRef, LocalDate, QuantityTarget } from '../shared';
import { RectificationTaskAssigned, RectificationTaskEvent, SubtaskAssignment } from './rectification-task.events';

export const TASK_STATUSES = ['assigned', 'accepted', 'in_progress', 'submitted', 'closed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_STATUS_LABELS: Readonly<Record<TaskStatus, string>> = {
  assigned: '已交办',
  accepted: '已签收',
  in_progress: '整改中',
  submitted: '待验收',
  closed: '已销号',
  cancelled: '已撤销',
};

/** A move of the deadline: through an approved extension (`requestId`) or a reopening (`requestId` null). */
export interface DeadlineChange {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly reason: string;
  readonly requestId: string | null;
}

export interface PendingExtension {
  readonly requestId: string;
  readonly requestedDeadline: LocalDate;
  readonly reason: string;
}

/** A ladder level recorded on the task, and who has read it. */
export interface RecordedReminder {
  readonly reminderId: string;
  readonly level: string;
  readonly deadlineVersion: number;
  /** The accounts it was sent to (their inboxes): only they can have read it. */
  readonly sentTo: readonly string[];
  readonly readBy: readonly string[];
}

/**
 * What became of an extension request that is no longer pending ('dropped': the task was reassigned, closed or
 * cancelled first).
 */
export type ExtensionOutcome = 'approved' | 'refused' | 'dropped';

export interface RectificationTaskDetails {
  readonly taskId: string;
  readonly findingId: string;
  readonly title: string;
  readonly regionId: string;
  readonly category: string;
  readonly leadUnitId: string;
  readonly cooperatingUnitIds: readonly string[];
  /** The deadline in force. */
  readonly deadline: LocalDate;
  readonly originalDeadline: LocalDate;
  readonly deadlineChanges: readonly DeadlineChange[];
  readonly measures: string;
  readonly plan: string | null;
  readonly target: QuantityTarget | null;
  /** The latest quantity reported or submitted. */
  readonly quantityDone: number | null;
  readonly campaignId: string | null;
  readonly sendBackCount: number;
  readonly reopenCount: number;
  readonly pendingExtension: PendingExtension | null;
  /** Every extension request id seen on this task, in order. */
  readonly extensionRequestIds: readonly string[];
  readonly extensionOutcomes: Readonly<Record<string, ExtensionOutcome>>;
  /** Who submitted the submission now awaiting (or having passed) sign-off. */
  readonly submittedBy: { readonly userId: string; readonly unitId: string } | null;
  readonly submission: { readonly report: string; readonly evidence: readonly EvidenceRef[] } | null;
  readonly verifiedBy: { readonly userId: string; readonly unitId: string | null } | null;
  readonly cancelReason: string | null;
  readonly assignedBy: string;
  /** Its place in a tree (逐级分解): see `RectificationTaskAssigned`. */
  readonly parentTaskId: string | null;
  readonly rootTaskId: string;
  readonly depth: number;
  readonly assigningUnitId: string | null;
  /** The sub-tasks it was broken down into, in order, each with its share (`target`). */
  readonly subtasks: readonly SubtaskAssignment[];
  /** The reminder ladder pinned at assignment. */
  readonly reminderPolicy: ReminderPolicy;
  /** Counts the moves of the deadline (extensions, reopenings): reminders are owed once per level per version. */
  readonly deadlineVersion: number;
  readonly reminders: readonly RecordedReminder[];
  /** The assignment as first recorded, so that a resent assignment is recognised. */
  readonly assignment: RectificationTaskAssigned['data'];
  /** Set only while the last event is a progress report, so that a resent report is recognised. */
  readonly lastProgress: {
    readonly unitId: string;
    readonly quantityDone: number | null;
    readonly note: string;
    readonly evidence: readonly EvidenceRef[];
  } | null;
}

/** A task that has been assigned, in one of its statuses. */
export type AssignedRectificationTask = {
  [S in TaskStatus]: RectificationTaskDetails & { readonly status: S };
}[TaskStatus];

export type RectificationTaskState = { readonly status: 'none' } | AssignedRectificationTask;

export function initialRectificationTaskState(): RectificationTaskState {
  return { status: 'none' };
}

export function evolveRectificationTask(
  state: RectificationTaskState,
  event: RectificationTaskEvent,
): RectificationTaskState {
  if (event.type === 'RectificationTaskAssigned') return assignedTask(event.data);
  if (state.status === 'none') return state;
  const next = evolveAssigned(state, event);
  return event.type === 'RectificationTaskProgressReported' || isBookkeeping(event) || next.lastProgress === null
    ? next
    : { ...next, lastProgress: null };
}

/** Events the engine records beside the work (reminders, reads): they do not end a resend window. */
function isBookkeeping(event: RectificationTaskEvent): boolean {
  return (
    event.type === 'RectificationTaskReminded' ||
    event.type === 'RectificationTaskEscalated' ||
    event.type === 'RectificationTaskReminderRead'
  );
}

function assignedTask(data: RectificationTaskAssigned['data']): AssignedRectificationTask {
  return {
    status: 'assigned',
    taskId: data.taskId,
    findingId: data.findingId,
    title: data.title,
    regionId: data.regionId,
    category: data.category,
    leadUnitId: data.leadUnitId,
    cooperatingUnitIds: data.cooperatingUnitIds,
    deadline: data.deadline,
    originalDeadline: data.deadline,
    deadlineChanges: [],
    measures: data.measures,
    plan: null,
    target: data.target,
    quantityDone: null,
    campaignId: data.campaignId,
    sendBackCount: 0,
    reopenCount: 0,
    pendingExtension: null,
    extensionRequestIds: [],
    extensionOutcomes: {},
    submittedBy: null,
    submission: null,
    verifiedBy: null,
    cancelReason: null,
    assignedBy: data.assignedBy,
    parentTaskId: data.parentTaskId,
    rootTaskId: data.rootTaskId,
    depth: data.depth,
    assigningUnitId: data.assigningUnitId,
    subtasks: [],
    reminderPolicy: data.reminderPolicy,
    deadlineVersion: 0,
    reminders: [],
    assignment: data,
    lastProgress: null,
  };
}

function evolveAssigned(state: AssignedRectificationTask, event: RectificationTaskEvent): AssignedRectificationTask {
  switch (event.type) {
    case 'RectificationTaskAssigned':
      return assignedTask(event.data);
    case 'RectificationTaskAccepted':
      return { ...state, status: 'accepted' };
    case 'RectificationTaskPlanRecorded':
      return { ...state, status: 'in_progress', plan: event.data.plan };
    case 'RectificationTaskBrokenDown':
      return { ...state, status: 'in_progress', subtasks: [...state.subtasks, ...event.data.subtasks] };
    case 'RectificationTaskProgressReported': {
      const { unitId, quantityDone, note, evidence } = event.data;
      return {
        ...state,
        status: 'in_progress',
        quantityDone: quantityDone ?? state.quantityDone,
        lastProgress: { unitId, quantityDone, note, evidence },
      };
    }
    case 'RectificationTaskExtensionRequested': {
      const { requestId, requestedDeadline, reason } = event.data;
      return {
        ...state,
        pendingExtension: { requestId, requestedDeadline, reason },
        extensionRequestIds: [...state.extensionRequestIds, requestId],
      };
    }
    case 'RectificationTaskExtensionApproved': {
      const { requestId, previousDeadline, newDeadline } = event.data;
      const reason = state.pendingExtension?.requestId === requestId ? state.pendingExtension.reason : '';
      return {
        ...state,
        deadline: newDeadline,
        deadlineVersion: state.deadlineVersion + 1,
        deadlineChanges: [...state.deadlineChanges, { from: previousDeadline, to: newDeadline, reason, requestId }],
        pendingExtension: null,
        extensionOutcomes: { ...state.extensionOutcomes, [requestId]: 'approved' },
      };
    }
    case 'RectificationTaskExtensionRefused':
      return {
        ...state,
        pendingExtension: null,
        extensionOutcomes: { ...state.extensionOutcomes, [event.data.requestId]: 'refused' },
      };
    case 'RectificationTaskSubmitted': {
      const { report, evidence, quantityDone, submittedBy } = event.data;
      return {
        ...state,
        status: 'submitted',
        quantityDone: quantityDone ?? state.quantityDone,
        submittedBy,
        submission: { report, evidence },
      };
    }
    case 'RectificationTaskVerified':
      return { ...dropPendingExtension(state), status: 'closed', verifiedBy: event.data.verifiedBy };
    case 'RectificationTaskSentBack':
      return {
        ...state,
        status: 'in_progress',
        sendBackCount: event.data.sendBackCount,
        submittedBy: null,
        submission: null,
      };
    case 'RectificationTaskReassigned':
      return {
        ...dropPendingExtension(state),
        status: 'assigned',
        leadUnitId: event.data.leadUnitId,
        cooperatingUnitIds: event.data.cooperatingUnitIds,
        submittedBy: null,
        submission: null,
      };
    case 'RectificationTaskCancelled':
      return { ...dropPendingExtension(state), status: 'cancelled', cancelReason: event.data.reason };
    case 'RectificationTaskReopened': {
      const { reason, previousDeadline, deadline, reopenCount } = event.data;
      return {
        ...state,
        status: 'in_progress',
        deadline,
        deadlineVersion: state.deadlineVersion + 1,
        deadlineChanges:
          deadline === previousDeadline
            ? state.deadlineChanges
            : [...state.deadlineChanges, { from: previousDeadline, to: deadline, reason, requestId: null }],
        reopenCount,
        submittedBy: null,
        submission: null,
        verifiedBy: null,
      };
    }
    case 'RectificationTaskReminded':
    case 'RectificationTaskEscalated': {
      const { reminderId, level, deadlineVersion, recipients } = event.data;
      const sentTo = [...new Set(recipients.filter((r) => r.kind === 'user').map((r) => r.id))];
      return { ...state, reminders: [...state.reminders, { reminderId, level, deadlineVersion, sentTo, readBy: [] }] };
    }
    case 'RectificationTaskReminderRead': {
      const { reminderId, readBy } = event.data;
      return {
        ...state,
        reminders: state.reminders.map((r) =>
          r.reminderId === reminderId ? { ...r, readBy: [...r.readBy, readBy.userId] } : r,
        ),
      };
    }
    default: {
      event satisfies never;
      return state;
    }
  }
}

function dropPendingExtension<S extends AssignedRectificationTask>(state: S): S {
  if (!state.pendingExtension) return state;
  return {
    ...state,
    pendingExtension: null,
    extensionOutcomes: { ...state.extensionOutcomes, [state.pendingExtension.requestId]: 'dropped' },
  };
}
