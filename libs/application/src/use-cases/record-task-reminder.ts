import { CommandMetadata, rectificationTaskDecider, remindersToSchedule, taskStreamName } from '@zhenggai/domain';
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
  if (loaded.state.status === 'none') return { outcome: 'no-task' };
  const owed = remindersToSchedule(loaded.state, metadata.now).find(
    (r) => r.level.level === level && r.deadlineVersion === deadlineVersion,
  );
  if (!owed) return { outcome: 'not-owed' };
  const dueInMs = Date.parse(owed.dueAt) - Date.parse(metadata.now);
  if (dueInMs > 0) return { outcome: 'early', dueInMs };
  const recipients = await deps.recipients.resolve(loaded.state, owed.level.recipients);
  const { events } = await decideAndAppend(
    deps.store,
    rectificationTaskDecider,
    stream,
    { type: 'RecordTaskReminder', data: { level, deadlineVersion, recipients }, metadata },
    { loaded, cache: deps.cache },
  );
  return { outcome: events.length > 0 ? 'recorded' : 'not-owed' };
}
