import {
  CommandMetadata,
  RecordTaskReminder,
  rectificationTaskDecider,
  RectificationTaskEvent,
  RectificationTaskState,
  taskStreamName,
} from '@zhenggai/domain';
import { eventsToAppend } from '../command-handling/decide-and-append';
import { loadStreams } from '../command-handling/load-stream';
import { appendToEach } from '../event-store/several-streams';
import { StreamAppend } from '../event-store/event-store.port';
import { levelDue, RecordTaskReminderDeps, RecordTaskReminderInput } from './record-task-reminder';

/** A level to record, and the correlation id its events carry (the one its job would have: the level's own). */
export interface DueReminder extends RecordTaskReminderInput {
  readonly correlationId: string;
}

export interface RecordDueRemindersResult {
  readonly recorded: number;
  /** The task is closed, its deadline moved, the level is recorded already or overtaken, or there is no such task. */
  readonly notOwed: number;
  /**
   * Not recorded now: not due yet by this clock, or its task was written meanwhile by another writer (or refused the
   * append for a reason of its own). For the caller to fire one by one, as a job, which decides again.
   */
  readonly left: readonly DueReminder[];
}

/**
 * Many ladder levels falling due at once (the scheduler catching up on tasks long overdue, a whole campaign's
 * deadline passing): each decided as `recordTaskReminder` decides one — on its task as stored, only if still owed and
 * due — but their tasks are read in one go and their events appended in one go (`appendToEach`), each task checked
 * against the revision read. Nothing is recorded twice: a level recorded already is no longer owed.
 */
export async function recordDueReminders(
  deps: RecordTaskReminderDeps,
  levels: readonly DueReminder[],
  metadata: CommandMetadata,
): Promise<RecordDueRemindersResult> {
  const byStream = new Map<string, DueReminder[]>();
  for (const level of levels) {
    const stream = taskStreamName(level.taskId);
    byStream.set(stream, [...(byStream.get(stream) ?? []), level]);
  }
  const loaded = await loadStreams(deps.store, rectificationTaskDecider, [...byStream.keys()]);
  const recipients = deps.recipients.batch?.() ?? deps.recipients;
  let notOwed = 0;
  const left: DueReminder[] = [];
  const appends: Array<StreamAppend & { readonly levels: DueReminder[]; readonly state: RectificationTaskState }> = [];
  for (const [streamName, streamLevels] of byStream) {
    const { revision } = loaded.get(streamName)!;
    let { state } = loaded.get(streamName)!;
    const events: StreamAppend['events'][number][] = [];
    const recording: DueReminder[] = [];
    for (const level of streamLevels) {
      const due = levelDue(state, level, metadata.now);
      if (due.outcome === 'early') {
        left.push(level);
        continue;
      }
      if (due.outcome !== 'due') {
        notOwed++;
        continue;
      }
      const command: RecordTaskReminder = {
        type: 'RecordTaskReminder',
        data: {
          level: level.level,
          deadlineVersion: level.deadlineVersion,
          recipients: await recipients.resolve(due.task, due.owed.level.recipients),
        },
        metadata: { ...metadata, correlationId: level.correlationId },
      };
      const decided = rectificationTaskDecider.decide(command, state) as RectificationTaskEvent[];
      if (decided.length === 0) {
        notOwed++;
        continue;
      }
      events.push(...eventsToAppend(command, decided));
      state = decided.reduce(rectificationTaskDecider.evolve, state);
      recording.push(level);
    }
    if (events.length > 0) appends.push({ streamName, events, expectedRevision: revision, levels: recording, state });
  }
  const outcomes = await appendToEach(deps.store, appends);
  let recorded = 0;
  for (const [i, outcome] of outcomes.entries()) {
    const { streamName, levels: appended, state } = appends[i]!;
    if (outcome.ok) {
      recorded += appended.length;
      // Kept up to date where the cache holds the task, but not added: a catch-up records levels on hundreds of
      // thousands of tasks, which would fill the cache (10,000 states, some 26 MB) with tasks nobody is commanding.
      deps.cache?.refresh(streamName, state, outcome.result.nextExpectedRevision);
    } else {
      deps.cache?.forget(streamName);
      left.push(...appended);
    }
  }
  return { recorded, notOwed, left };
}
