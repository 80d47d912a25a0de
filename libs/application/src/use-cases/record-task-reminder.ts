import {
  AssignedRectificationTask,
  CommandMetadata,
  OwedReminder,
  rectificationTaskDecider,
  RectificationTaskState,
  remindersToSchedule,
  taskStreamName,
} from '@zhenggai/domain';
import { decideAndAppend, StreamAccess } from '../command-handling/decide-and-append';
import { loadStream } from '../command-handling/load-stream';
import { ReminderRecipientResolver } from '../reminders/reminder-recipients.port';

export interface RecordTaskReminderInput {
  readonly taskId: string;
  readonly level: string;
  readonly deadlineVersion: number;
}

export type RecordTaskReminderResult =
  | { readonly outcome: 'recorded' | 'not-owed' | 'no-task' }
  /** Not due yet by the command's clock (clocks differ a little between machines): due this many ms later. */
  | { readonly outcome: 'early'; readonly dueInMs: number };

export interface RecordTaskReminderDeps extends StreamAccess {
  readonly recipients: ReminderRecipientResolver;
}

/**
 * A ladder level falling due: recorded (with whom it reaches) only if the task still owes it — not closed, same
 * deadline, not recorded yet, not overtaken. The decision is idempotent, so a retried or duplicated job records
 * the level once. A level not due yet is not recorded before its time: its sender may try again then.
 */
export async function recordTaskReminder(
  deps: RecordTaskReminderDeps,
  input: RecordTaskReminderInput,
  metadata: CommandMetadata,
): Promise<RecordTaskReminderResult> {
  const { taskId, level, deadlineVersion } = input;
  const stream = taskStreamName(taskId);
  const loaded = await loadStream(deps.store, rectificationTaskDecider, stream);
  const due = levelDue(loaded.state, input, metadata.now);
  if (due.outcome !== 'due') return due;
  const recipients = await deps.recipients.resolve(due.task, due.owed.level.recipients);
  const { events } = await decideAndAppend(
    deps.store,
    rectificationTaskDecider,
    stream,
    { type: 'RecordTaskReminder', data: { level, deadlineVersion, recipients }, metadata },
    { loaded, cache: deps.cache },
  );
  return { outcome: events.length > 0 ? 'recorded' : 'not-owed' };
}

/** Whether a task owes a level at `now`: due (with the task and the level as owed), not yet, or not at all. */
export type LevelDue =
  | { readonly outcome: 'due'; readonly task: AssignedRectificationTask; readonly owed: OwedReminder }
  | Exclude<RecordTaskReminderResult, { readonly outcome: 'recorded' }>;

/**
 * A level of the ladder as the task stands: owed only if not closed, same deadline, not recorded yet, not overtaken;
 * `early` before its time, with how long until then.
 */
export function levelDue(
  state: RectificationTaskState,
  { level, deadlineVersion }: Pick<RecordTaskReminderInput, 'level' | 'deadlineVersion'>,
  now: string,
): LevelDue {
  if (state.status === 'none') return { outcome: 'no-task' };
  const owed = remindersToSchedule(state, now).find(
    (r) => r.level.level === level && r.deadlineVersion === deadlineVersion,
  );
  if (!owed) return { outcome: 'not-owed' };
  const dueInMs = Date.parse(owed.dueAt) - Date.parse(now);
  if (dueInMs > 0) return { outcome: 'early', dueInMs };
  return { outcome: 'due', task: state, owed };
}
