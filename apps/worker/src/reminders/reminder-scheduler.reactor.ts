import { Clock, EventStore, loadStream, StoredEvent } from '@zhenggai/application';
import { rectificationTaskDecider, remindersToSchedule, taskStreamName } from '@zhenggai/domain';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import { CheckpointedReactor } from './checkpointed-reactor';
import { ReminderJobs } from './reminder-jobs';

export const REMINDER_SCHEDULER = 'reminder-scheduler';

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
 * deadline in force is queued, and drops jobs of older deadlines, or all of them once the task is closed or
 * cancelled. Every step is idempotent, so replaying events after a crash changes nothing.
 */
export class ReminderScheduler extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: PostgresCheckpointStore,
    private readonly jobs: ReminderJobs,
    private readonly clock: Clock,
  ) {
    super(store, checkpoints, REMINDER_SCHEDULER, [...SCHEDULE_CHANGING]);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    const taskIds = new Set(events.filter((e) => SCHEDULE_CHANGING.has(e.type)).map((e) => e.data.taskId as string).filter(Boolean));
    for (const taskId of taskIds) await this.sync(taskId);
  }

  /** Brings one task's queued jobs in line with its current state. */
  async sync(taskId: string): Promise<void> {
    const { state } = await loadStream(this.store, rectificationTaskDecider, taskStreamName(taskId));
    if (state.status === 'none') return;
    const levels = state.reminderPolicy.levels.map((l) => l.level);
    const older = Array.from({ length: state.deadlineVersion }, (_, v) => v);
    const open = state.status !== 'closed' && state.status !== 'cancelled';
    const ended = open ? older : [...older, state.deadlineVersion];
    if (ended.length > 0) await this.jobs.drop(taskId, ended, levels);
    if (open) await this.jobs.schedule(taskId, remindersToSchedule(state, this.clock.now().toISOString()), this.clock.now().getTime());
  }
}
