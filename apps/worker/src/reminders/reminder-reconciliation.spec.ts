import { ManualClock } from '@zhenggai/application';
import { DEFAULT_REMINDER_POLICY } from '@zhenggai/domain';
import type { PostgresDeliveries } from '@zhenggai/postgres';
import type { DeliveryJobs } from '@zhenggai/platform';
import type { Pool } from 'pg';
import { ReminderJobs } from './reminder-jobs';
import { ReminderReconciliation } from './reminder-reconciliation';

/**
 * The reconciliation leaves the levels owed alone while what it would compare is not whole: the task views catching
 * up (a part of the tasks), or the reminder scheduler catching up (it records the levels due as it meets them, a
 * batch's together; queued by the reconciliation as well, each would be a job and a command of its own). The
 * deliveries pending are queued again either way.
 */
describe('the reminders’ reconciliation', () => {
  const queued: string[] = [];
  const readModel: string[] = [];
  const pool = {
    query: async (text: string) => {
      readModel.push(text);
      // One ladder, and no open task.
      return { rows: text.includes('task_ladders') ? [{ ladder_id: 'default', policy: DEFAULT_REMINDER_POLICY }] : [] };
    },
  } as unknown as Pool;
  const jobs = { ensure: async (id: string) => void queued.push(id) } as unknown as ReminderJobs;
  const deliveries = { pending: async () => [{ batch: 'b-1' }] } as unknown as PostgresDeliveries;
  const deliveryJobs = { ensure: async (batches: string[]) => batches.length } as unknown as DeliveryJobs;
  const reconciliation = (tasks: boolean, scheduler: boolean) =>
    new ReminderReconciliation(
      pool,
      jobs,
      deliveries,
      deliveryJobs,
      new ManualClock('2030-06-27T00:30:00Z'),
      3_600_000,
      async () => tasks,
      async () => scheduler,
    );

  beforeEach(() => {
    queued.length = 0;
    readModel.length = 0;
  });

  it.each([
    ['the task views', false, true],
    ['the reminder scheduler', true, false],
  ])('leaves the levels to the scheduler while %s catch up', async (_, tasks, scheduler) => {
    expect(await reconciliation(tasks, scheduler).run()).toEqual({
      tasksBehind: !tasks,
      schedulerBehind: !scheduler,
      openTasks: 0,
      remindersRequeued: 0,
      deliveriesRequeued: 1,
    });
    expect([readModel, queued]).toEqual([[], []]);
  });

  it('reads the open tasks once both have caught up', async () => {
    expect(await reconciliation(true, true).run()).toMatchObject({ tasksBehind: false, schedulerBehind: false });
    expect(readModel.join()).toContain('task_reminder_facts');
  });
});
