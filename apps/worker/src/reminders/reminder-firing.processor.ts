import { Clock, decideAndAppend, EventStore, loadStream, StreamStateCache } from '@zhenggai/application';
import { rectificationTaskDecider, remindersToSchedule, SYSTEM_ACTOR, taskStreamName } from '@zhenggai/domain';
import { DelayedError, Job } from 'bullmq';
import { ReminderJobData } from './reminder-jobs';
import { ReminderRecipients } from './reminder-recipients';

export type FiringOutcome = 'recorded' | 'not-owed' | 'no-task';

/**
 * A ladder level's job, when due: re-reads the task and records the level (as the engine) only if it is still
 * owed — not closed, same deadline, not recorded yet, not overtaken. The decision is idempotent, so a retried
 * or duplicated job records the level once. Delivery follows from the recorded event (the dispatcher).
 */
export class ReminderFiring {
  constructor(
    private readonly store: EventStore,
    private readonly recipients: ReminderRecipients,
    private readonly clock: Clock,
    private readonly cache?: StreamStateCache,
  ) {}

  async process(job: Job<ReminderJobData>, token?: string): Promise<FiringOutcome> {
    const { taskId, deadlineVersion, level } = job.data;
    const stream = taskStreamName(taskId);
    const loaded = await loadStream(this.store, rectificationTaskDecider, stream);
    if (loaded.state.status === 'none') return 'no-task';
    const now = this.clock.now();
    const owed = remindersToSchedule(loaded.state, now.toISOString()).find(
      (r) => r.level.level === level && r.deadlineVersion === deadlineVersion,
    );
    if (!owed) return 'not-owed';
    const earlyMs = Date.parse(owed.dueAt) - now.getTime();
    if (earlyMs > 0 && token) {
      // This process's clock says it is not time yet (clocks differ a little between machines).
      await job.moveToDelayed(Date.now() + earlyMs, token);
      throw new DelayedError();
    }
    const recipients = await this.recipients.resolve(loaded.state, owed.level.recipients);
    const { events } = await decideAndAppend(
      this.store,
      rectificationTaskDecider,
      stream,
      {
        type: 'RecordTaskReminder',
        data: { level, deadlineVersion, recipients },
        metadata: {
          actor: SYSTEM_ACTOR,
          now: now.toISOString(),
          correlationId: job.id ?? `${taskId}:${level}`,
          causationId: null,
        },
      },
      { loaded, cache: this.cache },
    );
    return events.length > 0 ? 'recorded' : 'not-owed';
  }
}
