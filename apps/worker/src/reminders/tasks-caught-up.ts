import type { ProjectionEventSource } from '@zhenggai/application';
import { PROJECTION_BATCH_SIZE, readProjectionStatuses } from '@zhenggai/postgres';
import { tasksProjection } from '@zhenggai/read-models';
import type { Pool } from 'pg';

/**
 * Whether the tasks read model has caught up with the store, for the work that reads it as the whole truth: the
 * reminder reconciliation (it queues what each open task is owed), the daily digest and the weekly bulletins (their
 * figures are sent and kept). Right after a start on a store far ahead of it (a restore, a new read model, a worker
 * that was down) the read model holds only part of the tasks, and each of those would act on that part: queue levels
 * by stale states, send figures that are short, and load the machine while the projection catches up.
 */
export type TasksCaughtUp = () => Promise<boolean>;

/** A projection runner behind by a full page of its catch-up (2,000 positions) or more is still catching up. */
export const CAUGHT_UP_LAG = PROJECTION_BATCH_SIZE;

/** The tasks projection's stored checkpoint against the store's head (`source` where the events live elsewhere). */
export function tasksReadModelCaughtUp(
  pool: Pool,
  source?: ProjectionEventSource,
  lagBelow: number = CAUGHT_UP_LAG,
): TasksCaughtUp {
  return async () => {
    const [tasks] = await readProjectionStatuses(pool, [tasksProjection.name], source);
    return tasks!.generation !== null && tasks!.lag < lagBelow;
  };
}
