import { StoreUnavailableError } from '@zhenggai/application';
import { isPostgresConnectionFailure } from '@zhenggai/postgres';
import { DelayedError, Job } from 'bullmq';

/** How long a job waits for a store that is out of reach before it runs again. */
export const STORE_OUTAGE_RETRY_MS = 1_000;

/**
 * Runs a job's work; when a store it needs is out of reach (PostgreSQL restarting, the event store gone), the job
 * is put back for a moment without spending one of its attempts. Attempts are for the job's own failures (a robot
 * that answers 500): an outage of a few seconds would otherwise use up a delivery's attempts in its short first
 * backoffs and leave it failed, though nothing was wrong with it. A job held by no worker (no lock token) fails as
 * before.
 */
export async function outlastingStoreOutages<T>(
  job: Job,
  token: string | undefined,
  work: () => Promise<T>,
  retryMs = STORE_OUTAGE_RETRY_MS,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!token || !(error instanceof StoreUnavailableError || isPostgresConnectionFailure(error))) throw error;
    await job.moveToDelayed(Date.now() + retryMs, token);
    throw new DelayedError();
  }
}
