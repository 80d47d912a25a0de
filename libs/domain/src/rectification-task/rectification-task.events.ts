import { ReminderPolicy } from '../reminders/reminder-policy';
import { DomainEvent, EvidenceRef, LocalDate, QuantityTarget } from '../shared';

export type RectificationTaskAssigned = DomainEvent<
  'RectificationTaskAssigned',
  {
    taskId: string;
    findingId: string;
    title: string;
    regionId: string;
    category: string;
    leadUnitId: string;
    cooperatingUnitIds: readonly string[];
    deadline: LocalDate;
    measures: string;
    target: QuantityTarget | null;
    campaignId: string | null;
    assignedBy: string;
    /** The task this one was broken down from (逐级分解); null for a top-level task. */
    parentTaskId: string | null;
    /** The top-level task of the tree: the task itself for a top-level task. */
    rootTaskId: string;
    /** 0 for a top-level task, its parent's depth + 1 for a sub-task. */
    depth: number;
    /**
     * The unit that broke the parent down (the parent's lead unit), which checks this task: verifies it, sends it
     * back, decides its extensions, cancels or reopens it. Null for a top-level task: the inspection side checks it.
     */
    assigningUnitId: string | null;
    /**
     * The reminder ladder in force at assignment, pinned: changing a policy later never changes what this task is owed.
     */
    reminderPolicy: ReminderPolicy;
  }
>;

/**
 * What a reader of assignments that does not work out reminders leaves out of their data (`LeaveOutKeys`): the ladder
 * pinned on the task, about half of an assignment's data.
 */
export const ASSIGNMENT_LADDER_KEYS: readonly (keyof RectificationTaskAssigned['data'])[] = ['reminderPolicy'];

/** One sub-task as its parent records it: everything its own stream is assigned with. */
export interface SubtaskAssignment {
  readonly taskId: string;
  readonly title: string;
  /** Where the work is: the sub-task's unit's region when it lies within the parent's place, else the parent's. */
  readonly regionId: string;
  readonly leadUnitId: string;
  readonly deadline: LocalDate;
  readonly measures: string;
  /** Its share of the parent's quantity target, in the parent's unit of measure; null: no quantity of its own. */
  readonly target: QuantityTarget | null;
}

/** 分解: the lead unit broke (part of) its task down into sub-tasks, each a task stream of its own. */
export type RectificationTaskBrokenDown = DomainEvent<
  'RectificationTaskBrokenDown',
  { taskId: string; subtasks: readonly SubtaskAssignment[]; brokenDownBy: { userId: string; unitId: string } }
>;

export type RectificationTaskAccepted = DomainEvent<'RectificationTaskAccepted', { taskId: string; unitId: string }>;

export type RectificationTaskPlanRecorded = DomainEvent<
  'RectificationTaskPlanRecorded',
  { taskId: string; plan: string }
>;

export type RectificationTaskProgressReported = DomainEvent<
  'RectificationTaskProgressReported',
  { taskId: string; unitId: string; quantityDone: number | null; note: string; evidence: readonly EvidenceRef[] }
>;

export type RectificationTaskExtensionRequested = DomainEvent<
  'RectificationTaskExtensionRequested',
  { taskId: string; requestId: string; currentDeadline: LocalDate; requestedDeadline: LocalDate; reason: string }
>;

export type RectificationTaskExtensionApproved = DomainEvent<
  'RectificationTaskExtensionApproved',
  { taskId: string; requestId: string; previousDeadline: LocalDate; newDeadline: LocalDate }
>;

export type RectificationTaskExtensionRefused = DomainEvent<
  'RectificationTaskExtensionRefused',
  { taskId: string; requestId: string; reason: string }
>;

export type RectificationTaskSubmitted = DomainEvent<
  'RectificationTaskSubmitted',
  {
    taskId: string;
    report: string;
    evidence: readonly EvidenceRef[];
    /** The quantity done at submission: the command's, or else the last one reported. */
    quantityDone: number | null;
    submittedBy: { userId: string; unitId: string };
  }
>;

export type RectificationTaskVerified = DomainEvent<
  'RectificationTaskVerified',
  { taskId: string; note: string | null; verifiedBy: { userId: string; unitId: string | null } }
>;

export type RectificationTaskSentBack = DomainEvent<
  'RectificationTaskSentBack',
  { taskId: string; reason: string; /** The task's send-backs including this one. */ sendBackCount: number }
>;

export type RectificationTaskReassigned = DomainEvent<
  'RectificationTaskReassigned',
  {
    taskId: string;
    previousLeadUnitId: string;
    leadUnitId: string;
    cooperatingUnitIds: readonly string[];
    reason: string;
  }
>;

export type RectificationTaskCancelled = DomainEvent<'RectificationTaskCancelled', { taskId: string; reason: string }>;

export type RectificationTaskReopened = DomainEvent<
  'RectificationTaskReopened',
  {
    taskId: string;
    reason: string;
    previousDeadline: LocalDate;
    deadline: LocalDate;
    /** Including this one. */ reopenCount: number;
  }
>;

/** Who a fired ladder level was sent to, resolved when it fired. */
export interface ReminderRecipient {
  readonly role: string;
  /** `user`: an account (its inbox); `unit`: a unit's own channels (webhook, e-mail). */
  readonly kind: 'user' | 'unit';
  readonly id: string;
  readonly name: string;
}

interface ReminderRecordedData {
  taskId: string;
  /** What the task is about and where, as the message says it (the title may change later; this is what was sent). */
  title: string;
  regionId: string;
  /** `<deadlineVersion>:<level>`: the level is recorded once per deadline. */
  reminderId: string;
  level: string;
  label: string;
  deadline: LocalDate;
  deadlineVersion: number;
  /** When the ladder said it was due (it is recorded when the job runs, a little later). */
  dueAt: string;
  policy: { id: string; version: number };
  recipients: readonly ReminderRecipient[];
}

/** 提醒 / 到期提醒: a ladder level before or on the deadline. */
export type RectificationTaskReminded = DomainEvent<'RectificationTaskReminded', ReminderRecordedData>;

/** 催办 / 督办 / 通报: a ladder level after the deadline. */
export type RectificationTaskEscalated = DomainEvent<'RectificationTaskEscalated', ReminderRecordedData>;

/** A recipient opened the reminder in the inbox: the history shows who knew what, and when. */
export type RectificationTaskReminderRead = DomainEvent<
  'RectificationTaskReminderRead',
  { taskId: string; reminderId: string; readBy: { userId: string; username: string } }
>;

export type RectificationTaskEvent =
  | RectificationTaskAssigned
  | RectificationTaskAccepted
  | RectificationTaskPlanRecorded
  | RectificationTaskBrokenDown
  | RectificationTaskProgressReported
  | RectificationTaskExtensionRequested
  | RectificationTaskExtensionApproved
  | RectificationTaskExtensionRefused
  | RectificationTaskSubmitted
  | RectificationTaskVerified
  | RectificationTaskSentBack
  | RectificationTaskReassigned
  | RectificationTaskCancelled
  | RectificationTaskReopened
  | RectificationTaskReminded
  | RectificationTaskEscalated
  | RectificationTaskReminderRead;

export function taskStreamName(taskId: string): string {
  return `rectificationTask-${taskId}`;
}
