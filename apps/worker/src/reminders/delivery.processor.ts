import { Logger } from '@nestjs/common';
import { NotificationChannel } from '@zhenggai/application';
import { PostgresDeliveries } from '@zhenggai/postgres';
import { Job } from 'bullmq';
import { DeliveryJobData } from '@zhenggai/platform';

/**
 * Sends one delivery through its channel and records the outcome in the ledger. Each delivery is its own
 * job, so a webhook that is down delays nobody's e-mail; after the last attempt the delivery is marked
 * failed, for an admin to see and retry.
 */
export class DeliveryProcessor {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly deliveries: PostgresDeliveries,
    private readonly channels: readonly NotificationChannel[],
  ) {}

  async process(job: Job<DeliveryJobData>): Promise<'delivered' | 'already-delivered' | 'unknown'> {
    const delivery = await this.deliveries.get(job.data.deliveryId);
    if (!delivery) return 'unknown';
    if (delivery.status === 'delivered') return 'already-delivered';
    const channel = this.channels.find((c) => c.kind === delivery.address.kind);
    try {
      if (!channel) throw new UnconfiguredChannelError(delivery.address.kind);
      await channel.send(delivery.address, delivery.message);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = error instanceof UnconfiguredChannelError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.deliveries.markAttemptFailed(delivery.id, message, final);
      if (final) this.logger.warn(`delivery ${delivery.id} failed: ${message}`);
      if (error instanceof UnconfiguredChannelError) return 'unknown';
      throw error;
    }
    await this.deliveries.markDelivered(delivery.id);
    return 'delivered';
  }
}

class UnconfiguredChannelError extends Error {
  constructor(kind: string) {
    super(
      kind === 'email' ? 'e-mail is not configured: set SMTP_URL and MAIL_FROM' : `no ${kind} channel is configured`,
    );
  }
}
