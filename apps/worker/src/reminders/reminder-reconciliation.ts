import { Logger } from '@nestjs/common';
import { Clock } from '@zhenggai/application';
import { AssignedRectificationTask } from '@zhenggai/domain';
import { PostgresDeliveries } from '@zhenggai/postgres';
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
  readonly openTasks: number;
  readonly remindersRequeued: number;
  readonly deliveriesRequeued: number;
}

const PAGE = 1000;

/**
 * Brings levels into the queue as they come within the horizon, and is the safety net under it: compares what
 * the read model says each open task is owed (levels due within `horizonMs`, or due and not yet recorded) with
 * the jobs that exist, and queues what is missing; and re-queues the batch of every delivery the ledger still has
 * pending (its job, if the queue lost it). A Redis that lost its data therefore loses no reminder, only the time until
 * the engine finds the queue empty (`ReminderEngine.recoverLostQueue`). While the tasks read model is still catching
 * up it leaves the levels alone (`TasksCaughtUp`).
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
  ) {}

  async run(): Promise<ReconciliationReport> {
    const tasksBehind = !(await this.tasksCaughtUp());
    const { openTasks, remindersRequeued } = tasksBehind
      ? { openTasks: 0, remindersRequeued: 0 }
      : await this.queueLevelsOwed();
    const deliveriesRequeued = await this.requeueDeliveries();
    const report = { tasksBehind, openTasks, remindersRequeued, deliveriesRequeued };
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

  private async queueLevelsOwed(): Promise<{ openTasks: number; remindersRequeued: number }> {
    const now = this.clock.now();
    let openTasks = 0;
    let remindersRequeued = 0;
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const { rows } = await this.pool.query<{ task_id: string; state: AssignedRectificationTask }>(
        `SELECT task_id, state FROM read_models.task_states
          WHERE task_id > $1 AND state->>'status' NOT IN ('closed', 'cancelled')
          ORDER BY task_id LIMIT $2`,
        [after, PAGE],
      );
      for (const row of rows) {
        openTasks++;
        remindersRequeued += await this.reminders.ensure(
          row.task_id,
          owedWithin(row.state, now, this.horizonMs),
          now.getTime(),
        );
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].task_id;
    }
    return { openTasks, remindersRequeued };
  }
}
