import { Logger } from '@nestjs/common';
import { NotificationChannel } from '@zhenggai/application';
import { Delivery, PostgresDeliveries } from '@zhenggai/postgres';
import { Job } from 'bullmq';
import { DeliveryJobData } from '@zhenggai/platform';

export interface DeliveryOutcome {
  readonly delivered: number;
  readonly failed: number;
}

/**
 * Sends a batch of deliveries (one address's) through its channel and records each outcome in the ledger. It reads
 * the batch's pending rows in one query and sends them one by one, each marked delivered as soon as it is sent: a job
 * run again (a retry, a worker killed mid-way) sends only what is still pending, and at most the one message sent
 * but not yet marked goes out twice, with the same delivery id. A failed send ends the attempt, and the job is
 * retried with backoff (the address is likely down: the rest wait for it too, as one address's jobs did); on the last
 * attempt every row left is tried, and those that fail are marked failed, for an admin to see and retry.
 */
export class DeliveryProcessor {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly deliveries: PostgresDeliveries,
    private readonly channels: readonly NotificationChannel[],
  ) {}

  async process(job: Job<DeliveryJobData>): Promise<DeliveryOutcome> {
    // A job queued before batches was one delivery's; its id is the batch the ledger gave that delivery.
    const batch = job.data.batch ?? job.id!;
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const failures: Array<{ id: string; error: string }> = [];
    const unsendable: Array<{ id: string; error: string }> = [];
    let delivered = 0;
    for (const delivery of await this.deliveries.pendingIn(batch)) {
      const channel = this.channels.find((c) => c.kind === delivery.address.kind);
      if (!channel) {
        unsendable.push({ id: delivery.id, error: unconfigured(delivery.address.kind) });
        continue;
      }
      const error = await sent(channel, delivery);
      if (error === null) {
        await this.deliveries.markDelivered(delivery.id);
        delivered++;
        continue;
      }
      failures.push({ id: delivery.id, error });
      if (!final) break;
    }
    // No attempt sends through a channel this process does not have: those fail at once.
    await this.deliveries.markAttemptsFailed(unsendable, true);
    await this.deliveries.markAttemptsFailed(failures, final);
    for (const { id, error } of [...unsendable, ...(final ? failures : [])])
      this.logger.warn(`delivery ${id} failed: ${error}`);
    if (failures.length > 0) throw new Error(failures[0].error);
    return { delivered, failed: unsendable.length };
  }
}

/** Null once the channel took the message, else why it did not. */
async function sent(channel: NotificationChannel, delivery: Delivery): Promise<string | null> {
  try {
    await channel.send(delivery.address, delivery.message);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function unconfigured(kind: string): string {
  return kind === 'email' ? 'e-mail is not configured: set SMTP_URL and MAIL_FROM' : `no ${kind} channel is configured`;
}
