import { ReminderPolicy } from '../reminders/reminder-policy';
import { Command, EvidenceRef, LocalDate, QuantityTarget } from '../shared';
import { ReminderRecipient } from './rectification-task.events';
import { TaskStatus } from './rectification-task.state';

/** The parent of a sub-task being assigned, as its stream stands when it is broken down. */
export interface SubtaskParent {
  readonly taskId: string;
  readonly rootTaskId: string;
  readonly depth: number;
  readonly leadUnitId: string;
  readonly deadline: LocalDate;
  readonly campaignId: string | null;
}

/**
 * The statuses of a task's sub-tasks, loaded from their streams by the use case just before it decides (a task's
 * stream cannot know them). A sub-task missing here counts as open and as holding its share.
 */
export type SubtaskStatuses = Readonly<Record<string, TaskStatus>>;

export type AssignRectificationTask = Command<
  'AssignRectificationTask',
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
    /** The campaign the task counts towards, with that campaign's deadline (which the task may not pass). */
    campaign: { campaignId: string; deadline: LocalDate } | null;
    /** The ladder in force (the campaign's or the default), pinned on the task. */
    reminderPolicy?: ReminderPolicy;
    /**
     * Set for a sub-task (assigned by its parent's lead unit, from the parent's `RectificationTaskBrokenDown`, with
     * no campaign of its own: it counts towards its parent's), null for a top-level task.
     */
    parent: SubtaskParent | null;
  }
>;

/** One sub-task of a break-down as the lead unit asks for it. */
export interface RequestedSubtask {
  /** The new task's id (chosen by the use case, derived from the command's id for retries). */
  readonly taskId: string;
  readonly unitId: string;
  readonly deadline: LocalDate;
  readonly measures: string;
  /** Defaults to the parent's title followed by the unit's name: 蔡郢村危房改造（蔡郢村民委员会）. */
  readonly title: string | null;
  /** Its share of the parent's quantity target (the parent's unit of measure); null: none. */
  readonly share: number | null;
}

/** 分解: the lead unit of an accepted task breaks it down among units below it (or its cooperating units). */
export type BreakDownRectificationTask = Command<
  'BreakDownRectificationTask',
  {
    subtasks: readonly RequestedSubtask[];
    /**
     * Facts from the directory: the region path (ids from the top of the tree down to the unit's own region) of the
     * parent's lead unit and of every unit named, by unit id.
     */
    unitRegionPaths: Readonly<Record<string, readonly string[]>>;
    /** Facts from the directory: the name of every unit named, by unit id (an untitled sub-task's title says it). */
    unitNames: Readonly<Record<string, string>>;
    subtaskStatuses: SubtaskStatuses;
  }
>;

/** 签收: the lead unit takes the task on. */
export type AcceptRectificationTask = Command<'AcceptRectificationTask', Record<string, never>>;

/** 整改措施 / 一户一方案: the lead unit records (or revises) its plan. */
export type RecordRectificationPlan = Command<'RecordRectificationPlan', { plan: string }>;

export type ReportRectificationProgress = Command<
  'ReportRectificationProgress',
  { quantityDone: number | null; note: string; evidence: readonly EvidenceRef[]; subtaskStatuses: SubtaskStatuses }
>;

/** 申请延期. `requestId` is chosen by the caller, so a resent request is recognised. */
export type RequestDeadlineExtension = Command<
  'RequestDeadlineExtension',
  {
    requestId: string;
    requestedDeadline: LocalDate;
    reason: string;
    /** A sub-task's parent's deadline in force (a fact the use case loads); null for a top-level task. */
    parentDeadline: LocalDate | null;
  }
>;

export type ApproveDeadlineExtension = Command<
  'ApproveDeadlineExtension',
  { requestId: string; /** As for the request. */ parentDeadline: LocalDate | null }
>;

export type RefuseDeadlineExtension = Command<'RefuseDeadlineExtension', { requestId: string; reason: string }>;

/** 申请销号: the completion report with its supporting evidence. */
export type SubmitRectification = Command<
  'SubmitRectification',
  { report: string; evidence: readonly EvidenceRef[]; quantityDone: number | null; subtaskStatuses: SubtaskStatuses }
>;

/** 验收销号. */
export type VerifyRectification = Command<'VerifyRectification', { note: string | null }>;

/** 退回重办. */
export type SendBackRectification = Command<'SendBackRectification', { reason: string }>;

export type ReassignRectificationTask = Command<
  'ReassignRectificationTask',
  { leadUnitId: string; cooperatingUnitIds: readonly string[]; reason: string; subtaskStatuses: SubtaskStatuses }
>;

/** 撤销. A task broken down is cancelled only once its sub-tasks are verified or cancelled (facts the use case loads). */
export type CancelRectificationTask = Command<
  'CancelRectificationTask',
  { reason: string; subtaskStatuses: SubtaskStatuses }
>;

/**
 * 回头看: a closed task found back; re-rectify by the new deadline. For a sub-task, its parent's status and deadline
 * in force (facts the use case loads; null for a top-level task): it is reopened only under an open parent, by a
 * deadline no later than the parent's.
 */
export type ReopenRectificationTask = Command<
  'ReopenRectificationTask',
  { reason: string; deadline: LocalDate; parentStatus: TaskStatus | null; parentDeadline: LocalDate | null }
>;

/** A ladder level fell due (issued by the reminder job as the system): recorded once, if still owed. */
export type RecordTaskReminder = Command<
  'RecordTaskReminder',
  { level: string; deadlineVersion: number; recipients: readonly ReminderRecipient[] }
>;

/** A recipient read a reminder in the inbox. */
export type MarkTaskReminderRead = Command<'MarkTaskReminderRead', { reminderId: string }>;

export type RectificationTaskCommand =
  | AssignRectificationTask
  | AcceptRectificationTask
  | RecordRectificationPlan
  | BreakDownRectificationTask
  | ReportRectificationProgress
  | RequestDeadlineExtension
  | ApproveDeadlineExtension
  | RefuseDeadlineExtension
  | SubmitRectification
  | VerifyRectification
  | SendBackRectification
  | ReassignRectificationTask
  | CancelRectificationTask
  | ReopenRectificationTask
  | RecordTaskReminder
  | MarkTaskReminderRead;
