import { AnyQueue, jobIdOf } from './job-queues';

/**
 * A delivery job: it sends the pending deliveries of one batch of the ledger (one address's, in the order recorded).
 * A job queued before batches names its one delivery instead; its id is that delivery's batch.
 */
export interface DeliveryJobData {
  readonly batch?: string;
  readonly deliveryId?: string;
}

/**
 * A batch of deliveries to queue, how long it waits first (an e-mail address's quiet hours, the backoff after a failed
 * attempt) and how many of its attempts were spent before it was queued (sent at once by the worker that recorded it).
 */
export interface DeliveryBatch {
  readonly batch: string;
  readonly delayMs?: number;
  readonly attemptsSpent?: number;
}

/**
 * The notification queue: one job per batch of deliveries, its id the batch's, retried with exponential backoff (5 s,
 * 10 s, 20 s...).
 */
export class DeliveryJobs {
  constructor(
    private readonly queue: AnyQueue,
    private readonly retry: { readonly attempts: number; readonly backoffMs: number } = {
      attempts: 6,
      backoffMs: 5000,
    },
  ) {}

  /** How long a batch waits after one of its messages failed, before it is tried again. */
  get firstBackoffMs(): number {
    return this.retry.backoffMs;
  }

  /** How many times a batch is tried in all before what it has left is marked failed. */
  get attempts(): number {
    return this.retry.attempts;
  }

  /**
   * Queues batches in one round trip; a batch that has a job keeps it (a replay queues nothing twice). One batch, the
   * usual case (the notices of a few events to one address), is one `add`: on PostgreSQL BullMQ's bulk add builds two
   * temporary tables per call, several times the cost of adding the one job.
   */
  async enqueue(batches: readonly DeliveryBatch[]): Promise<void> {
    const jobs = batches.map(({ batch, delayMs = 0, attemptsSpent = 0 }) => ({
      name: 'deliver',
      data: { batch } satisfies DeliveryJobData,
      opts: {
        ...this.jobOptions(batch),
        ...(delayMs > 0 ? { delay: delayMs } : {}),
        ...(attemptsSpent > 0 ? { attempts: Math.max(1, this.retry.attempts - attemptsSpent) } : {}),
      },
    }));
    if (jobs.length === 1) await this.queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
    else if (jobs.length > 1) await this.queue.addBulk(jobs);
  }

  private jobOptions(batch: string) {
    return {
      jobId: jobIdOf(batch),
      attempts: this.retry.attempts,
      backoff: { type: 'exponential' as const, delay: this.retry.backoffMs },
      removeOnComplete: true,
      removeOnFail: { age: 30 * 86_400 },
    };
  }

  /** Queues the batches that have no job (and runs again a failed one); returns how many were missing. */
  async ensure(batches: readonly string[]): Promise<number> {
    let added = 0;
    for (const batch of new Set(batches)) {
      const existing = await this.queue.getJob(jobIdOf(batch));
      if (existing) {
        // A failed job whose batch still has pending rows (it failed before it could try them) runs again.
        if (await existing.isFailed()) await existing.retry();
        continue;
      }
      await this.queue.add('deliver', { batch } satisfies DeliveryJobData, this.jobOptions(batch));
      added++;
    }
    return added;
  }
}
