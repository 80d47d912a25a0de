import { Logger } from '@nestjs/common';
import { Clock } from '@zhenggai/application';
import { PostgresDeliveries } from '@zhenggai/postgres';
import { openTaskReminders } from '@zhenggai/read-models';
import { Pool } from 'pg';
import { DeliveryJobs } from '@zhenggai/platform';
import { owedWithin, ReminderJobs } from './reminder-jobs';
import type { TasksCaughtUp } from './tasks-caught-up';

export interface ReconciliationReport {
  /**
   * The tasks read model was still catching up: the levels were left to the scheduler and to a later run (a read model
   * holding part of the tasks, some in states long past, is no measure of what is owed).
   */
  readonly tasksBehind: boolean;
  /**
   * The reminder scheduler was still catching up: the levels were left to it (it records the levels due as it meets
   * them, a batch's together; queued here, each would be a job and a command of its own, while it records them too).
   */
  readonly schedulerBehind: boolean;
  /** The open tasks read: those that may owe a level within the horizon (the others are due weeks away). */
  readonly openTasks: number;
  readonly remindersRequeued: number;
  readonly deliveriesRequeued: number;
}

/**
 * Brings levels into the queue as they come within the horizon, and is the safety net under it: compares what
 * the read model says each open task is owed (levels due within `horizonMs`, or due and not yet recorded) with
 * the jobs that exist, and queues what is missing; and re-queues the batch of every delivery the ledger still has
 * pending (its job, if the queue lost it). A Redis that lost its data therefore loses no reminder, only the time until
 * the engine finds the queue empty (`ReminderEngine.recoverLostQueue`). While the tasks read model, or the reminder
 * scheduler, is still catching up it leaves the levels alone (`TasksCaughtUp`): the scheduler records those due as it
 * meets them.
 */
export class ReminderReconciliation {
  private readonly logger = new Logger('ReminderReconciliation');

  constructor(
    private readonly pool: Pool,
    private readonly reminders: ReminderJobs,
    private readonly deliveries: PostgresDeliveries,
    private readonly deliveryJobs: DeliveryJobs,
    private readonly clock: Clock,
    private readonly horizonMs: number,
    private readonly tasksCaughtUp: TasksCaughtUp,
    /** Whether the reminder scheduler has caught up with the store (`CheckpointedReactor.caughtUp`). */
    private readonly schedulerCaughtUp: () => Promise<boolean>,
  ) {}

  async run(): Promise<ReconciliationReport> {
    const tasksBehind = !(await this.tasksCaughtUp());
    const schedulerBehind = !(await this.schedulerCaughtUp());
    const { openTasks, remindersRequeued } =
      tasksBehind || schedulerBehind ? { openTasks: 0, remindersRequeued: 0 } : await this.queueLevelsOwed();
    const deliveriesRequeued = await this.requeueDeliveries();
    const report = { tasksBehind, schedulerBehind, openTasks, remindersRequeued, deliveriesRequeued };
    // Right after a start this may be the scheduler's work not done yet; later it is what the queue had lost.
    if (remindersRequeued + deliveriesRequeued > 0)
      this.logger.log(`queued what the queue did not have: ${JSON.stringify(report)}`);
    return report;
  }

  /**
   * Queues the batch of every pending delivery that no process holds and that has no job (the oldest, a bounded number
   * per run; the next run takes the rest): one a queue lost, or one a worker that died was sending at once, once its
   * hold is over. Answers how many batches it queued. Run with the reconciliation, every minute (a worker killed while
   * sending leaves its deliveries to this), and when the queue is found to have lost its jobs.
   */
  async requeueDeliveries(): Promise<number> {
    return this.deliveryJobs.ensure((await this.deliveries.pending(1000)).flatMap((d) => (d.batch ? [d.batch] : [])));
  }

  /**
   * The levels' part alone, whatever is still catching up: queues each open task's levels owed within the horizon that
   * have no job. Answers how many open tasks it read (those due soon enough to owe one) and how many levels it queued.
   */
  async queueLevelsOwed(): Promise<{ openTasks: number; remindersRequeued: number }> {
    const now = this.clock.now();
    let openTasks = 0;
    let remindersRequeued = 0;
    // Only the tasks that may owe a level within the horizon: those due weeks away are not read.
    for await (const page of openTaskReminders(this.pool, { dueBy: new Date(now.getTime() + this.horizonMs) })) {
      for (const { taskId, facts } of page) {
        openTasks++;
        remindersRequeued += await this.reminders.ensure(taskId, owedWithin(facts, now, this.horizonMs), now.getTime());
      }
    }
    return { openTasks, remindersRequeued };
  }
}
