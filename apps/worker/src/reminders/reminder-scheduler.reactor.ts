import {
  CheckpointStore,
  Clock,
  DueReminder,
  EventStore,
  loadStreams,
  RecordDueRemindersResult,
  StoredEvent,
} from '@zhenggai/application';
import {
  foldEvents,
  OwedReminder,
  RectificationTaskEvent,
  rectificationTaskDecider,
  RectificationTaskState,
  taskStreamName,
} from '@zhenggai/domain';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';
import { owedWithin, ReminderJobs } from './reminder-jobs';

/** Records levels already due, together (`RecordDueRemindersCommand` on the CommandBus). */
export type RecordDue = (levels: readonly DueReminder[]) => Promise<RecordDueRemindersResult>;

export const REMINDER_SCHEDULER = 'reminder-scheduler';

/**
 * Beyond the horizon, how old a task's change may be for its ended deadlines' jobs still to be dropped. Only levels due
 * within the horizon are ever queued, and a job runs (or exhausts its retries) within minutes of its time: every job
 * queued before an older change has run by now, and one that has not (no worker ran meanwhile) finds nothing owed
 * when it does. A catch-up over years of closed tasks would otherwise remove a job per level of each, one by one.
 */
const DROP_MARGIN_MS = 86_400_000;

/**
 * The events after which a task may owe other levels: it is assigned, its deadline moves (an extension, a
 * reopening), or it ends. The rest (accepting, reporting, reminders themselves...) change nothing owed, and
 * recipients are resolved when a level fires.
 */
const SCHEDULE_CHANGING = new Set([
  'RectificationTaskAssigned',
  'RectificationTaskExtensionApproved',
  'RectificationTaskReopened',
  'RectificationTaskVerified',
  'RectificationTaskCancelled',
]);

/**
 * Keeps the reminder queue in step with the tasks, from the event store (a checkpointed subscription, not the
 * in-memory bus): after any change to a task it reads the task and makes sure each level still owed for the
 * deadline in force and due within the horizon is queued, and drops jobs of older deadlines, or all of them
 * once the task is closed or cancelled. Every step is idempotent, so replaying events after a crash changes nothing.
 *
 * Levels due later are not queued yet: the reconciliation, which runs at least twice within every horizon,
 * queues each level as it comes within it. A queue therefore holds hours of reminders, not months of them,
 * and assigning a task with a deadline weeks away writes no job at all (on BullMQ's PostgreSQL backend those
 * writes were a third of the database's work under a stream of assignments).
 *
 * Levels already due when it meets them (a task assigned past its deadline, or every overdue task when the scheduler
 * catches up on a store after a restore or a long stop) are recorded at once, the batch's together (`recordDue`: one
 * read of their tasks, one append), not as a job each: a million-task store owes hundreds of thousands of them, which
 * as jobs took most of an hour. What that leaves (its task written meanwhile, not due by this clock after all) is
 * queued as jobs, which decide again.
 */
export class ReminderScheduler extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    private readonly jobs: ReminderJobs,
    private readonly clock: Clock,
    /** How far ahead levels are queued; the reconciliation must run more often than this. */
    private readonly horizonMs: number,
    private readonly recordDue: RecordDue,
  ) {
    super(store, checkpoints, REMINDER_SCHEDULER, [...SCHEDULE_CHANGING]);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    const byTask = new Map<string, StoredEvent[]>();
    for (const event of events) {
      const taskId = event.data.taskId as string | undefined;
      if (taskId && SCHEDULE_CHANGING.has(event.type)) byTask.set(taskId, [...(byTask.get(taskId) ?? []), event]);
    }
    const now = this.clock.now();
    // A task assigned in this very batch: its schedule-changing events so far are all here (what else happened to it
    // changes nothing owed), so its stream need not be read. The others' are read at once.
    const toRead = [...byTask].filter(([, taskEvents]) => taskEvents[0]!.revision !== 0).map(([id]) => id);
    const read = await loadStreams(this.store, rectificationTaskDecider, toRead.map(taskStreamName));
    const toQueue: Array<{ taskId: string; owed: OwedReminder[] }> = [];
    const due: Array<{ level: DueReminder; owed: OwedReminder }> = [];
    for (const [taskId, taskEvents] of byTask) {
      const state: RectificationTaskState =
        taskEvents[0]!.revision === 0
          ? foldEvents(rectificationTaskDecider, taskEvents as unknown as RectificationTaskEvent[])
          : read.get(taskStreamName(taskId))!.state;
      // When it happened by the clock the commands read (the store's own time may differ from it).
      const last = taskEvents[taskEvents.length - 1]!;
      const latest = Date.parse((last.metadata?.occurredAt as string | undefined) ?? last.recordedAt);
      if (!(await this.dropEnded(taskId, state, now.getTime() - latest <= this.horizonMs + DROP_MARGIN_MS))) continue;
      const owed = owedWithin(state, now, this.horizonMs);
      const later = owed.filter((r) => Date.parse(r.dueAt) > now.getTime());
      for (const r of owed) if (!later.includes(r)) due.push({ level: dueReminderOf(taskId, r), owed: r });
      if (later.length > 0) toQueue.push({ taskId, owed: later });
    }
    if (due.length > 0) {
      const { left } = await this.recordDue(due.map((d) => d.level));
      const leftIds = new Set(left.map((l) => l.correlationId));
      for (const { level, owed } of due)
        if (leftIds.has(level.correlationId)) toQueue.push({ taskId: level.taskId, owed: [owed] });
    }
    await this.jobs.scheduleMany(toQueue, now.getTime());
  }

  /**
   * Drops the jobs of deadlines no longer in force (all of them once the task ended), when the change is `recent`;
   * true while the task is open.
   */
  private async dropEnded(taskId: string, state: RectificationTaskState, recent: boolean): Promise<boolean> {
    if (state.status === 'none') return false;
    const open = state.status !== 'closed' && state.status !== 'cancelled';
    if (!recent) return open;
    const levels = state.reminderPolicy.levels.map((l) => l.level);
    const older = Array.from({ length: state.deadlineVersion }, (_, v) => v);
    const ended = open ? older : [...older, state.deadlineVersion];
    if (ended.length > 0) await this.jobs.drop(taskId, ended, levels);
    return open;
  }
}

/** A level due now, with the correlation id its job would carry (so a level fired either way is told apart alike). */
function dueReminderOf(taskId: string, owed: OwedReminder): DueReminder {
  const { deadlineVersion } = owed;
  const level = owed.level.level;
  return { taskId, level, deadlineVersion, correlationId: ReminderJobs.idOf(taskId, deadlineVersion, level) };
}
