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
    /**
     * The reminder ladder in force at assignment, pinned: changing a policy later never changes what this task is owed.
     */
    reminderPolicy: ReminderPolicy;
  }
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
