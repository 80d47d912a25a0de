import { ReminderPolicy } from '../reminders/reminder-policy';
import { Command, EvidenceRef, LocalDate, QuantityTarget } from '../shared';
import { ReminderRecipient } from './rectification-task.events';

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
  }
>;

/** 签收: the lead unit takes the task on. */
export type AcceptRectificationTask = Command<'AcceptRectificationTask', Record<string, never>>;

/** 整改措施 / 一户一方案: the lead unit records (or revises) its plan. */
export type RecordRectificationPlan = Command<'RecordRectificationPlan', { plan: string }>;

export type ReportRectificationProgress = Command<
  'ReportRectificationProgress',
  { quantityDone: number | null; note: string; evidence: readonly EvidenceRef[] }
>;

/** 申请延期. `requestId` is chosen by the caller, so a resent request is recognised. */
export type RequestDeadlineExtension = Command<
  'RequestDeadlineExtension',
  { requestId: string; requestedDeadline: LocalDate; reason: string }
>;

export type ApproveDeadlineExtension = Command<'ApproveDeadlineExtension', { requestId: string }>;

export type RefuseDeadlineExtension = Command<'RefuseDeadlineExtension', { requestId: string; reason: string }>;

/** 申请销号: the completion report with its supporting evidence. */
export type SubmitRectification = Command<
  'SubmitRectification',
  { report: string; evidence: readonly EvidenceRef[]; quantityDone: number | null }
>;

/** 验收销号. */
export type VerifyRectification = Command<'VerifyRectification', { note: string | null }>;

/** 退回重办. */
export type SendBackRectification = Command<'SendBackRectification', { reason: string }>;

export type ReassignRectificationTask = Command<
  'ReassignRectificationTask',
  { leadUnitId: string; cooperatingUnitIds: readonly string[]; reason: string }
>;

/** 撤销. */
export type CancelRectificationTask = Command<'CancelRectificationTask', { reason: string }>;

/** 回头看: a closed task found back; re-rectify by the new deadline. */
export type ReopenRectificationTask = Command<'ReopenRectificationTask', { reason: string; deadline: LocalDate }>;

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
