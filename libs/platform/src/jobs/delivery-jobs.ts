import { AnyQueue, jobIdOf } from './job-queues';

export interface DeliveryJobData {
  readonly deliveryId: string;
}

/** The notification queue: one job per delivery, retried with exponential backoff (5 s, 10 s, 20 s...). */
export class DeliveryJobs {
  constructor(
    private readonly queue: AnyQueue,
    private readonly retry: { readonly attempts: number; readonly backoffMs: number } = {
      attempts: 6,
      backoffMs: 5000,
    },
  ) {}

  /**
   * Queues new deliveries in one round trip (a delivery that has a job keeps it); `delaysMs` holds those that must
   * wait (an e-mail address's quiet hours).
   */
  async enqueue(deliveryIds: readonly string[], delaysMs?: ReadonlyMap<string, number>): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => {
        const delay = delaysMs?.get(deliveryId) ?? 0;
        return {
          name: 'deliver',
          data: { deliveryId } satisfies DeliveryJobData,
          opts: { ...this.jobOptions(deliveryId), ...(delay > 0 ? { delay } : {}) },
        };
      }),
    );
  }

  private jobOptions(deliveryId: string) {
    return {
      jobId: jobIdOf('delivery', deliveryId),
      attempts: this.retry.attempts,
      backoff: { type: 'exponential' as const, delay: this.retry.backoffMs },
      removeOnComplete: true,
      removeOnFail: { age: 30 * 86_400 },
    };
  }

  /** Queues the deliveries that have no job (and runs again a failed one); returns how many were missing. */
  async ensure(deliveryIds: readonly string[]): Promise<number> {
    let added = 0;
    for (const deliveryId of deliveryIds) {
      const jobId = jobIdOf('delivery', deliveryId);
      const existing = await this.queue.getJob(jobId);
      if (existing) {
        // A failed job of a delivery an admin put back in line runs again.
        if (await existing.isFailed()) await existing.retry();
        continue;
      }
      await this.queue.add('deliver', { deliveryId } satisfies DeliveryJobData, this.jobOptions(deliveryId));
      added++;
    }
    return added;
  }
}
