import { Logger } from '@nestjs/common';
import { ChannelAddress, NotificationChannel, retryAfterOf } from '@zhenggai/application';
import { Delivery, PostgresDeliveries } from '@zhenggai/postgres';
import { DelayedError, Job } from 'bullmq';
import { DeliveryJobData } from '@zhenggai/platform';
import { SendingPaces } from './sending-paces';

export interface DeliveryOutcome {
  readonly delivered: number;
  readonly failed: number;
}

/** A message to send: where, and what. */
export type Sendable = Pick<Delivery, 'id' | 'address' | 'message'>;

interface Failure {
  readonly id: string;
  readonly error: string;
}

/** How many of a batch's messages are on their way at once, by default. */
export const DELIVERY_LANES = 4;

/** A lane waits this long at most for an address's pace (Feishu's 5 a second); longer, and the batch waits as a job. */
const LANE_WAIT_MS = 2_000;

/**
 * How long a batch may keep waiting for a busy address without spending its attempts (from its job's creation): a
 * robot that says "too fast" for a day is more than busy. After that its refusals are failures like any other, and
 * it is sent as fast as the lanes go.
 */
const BUSY_FOR_AT_MOST_MS = 24 * 3_600_000;

/**
 * Sends a batch of deliveries (one address's) through its channel and records each outcome in the ledger. It reads
 * the batch's pending rows in one query and sends them in `lanes` at once, each marked delivered as soon as it is
 * sent: a job run again (a retry, a worker killed mid-way) sends only what is still pending, and only a message sent
 * but not yet marked (one a lane, at most) goes out twice, with the same delivery id. A failed send ends the attempt
 * (the lanes finish the messages in hand), and the job is retried with backoff: the address is likely down, and the
 * rest wait for it too, as one address's jobs did. An attempt that sent some of its messages before one failed spends
 * none of the job's attempts (the address is up; it waits the first backoff and goes on): the attempts are for an
 * address that takes nothing, so a robot that refuses one message in ten does not leave the tail of a large batch
 * failed. On the last attempt every row left is tried, and those that fail are marked failed, in one statement, for
 * an admin to see and retry; a message that alone keeps failing ends there once the rest of its batch went out.
 * Where the channel carries several messages to one address in one (a robot group's notices, up to ten listed in one
 * message: robots take 20 messages a minute; a `json-batch` receiver's, up to a hundred a request), those go, are
 * marked and fail together. An address with a pace (a group
 * robot, `paceOf`) is sent no faster than it takes; what would go too fast, and what the address refuses as too fast
 * (`AddressBusyError`), waits until it takes more, without spending an attempt: a burst of notices to one group is
 * paced through, not failed once the retries' backoff has run out.
 */
export class DeliveryProcessor {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly deliveries: PostgresDeliveries,
    private readonly channels: readonly NotificationChannel[],
    private readonly lanes = DELIVERY_LANES,
    private readonly paces = new SendingPaces(),
    private readonly busyForAtMostMs = BUSY_FOR_AT_MOST_MS,
  ) {}

  async process(job: Job<DeliveryJobData>, token?: string): Promise<DeliveryOutcome> {
    // A job queued before batches was one delivery's; its id is the batch the ledger gave that delivery.
    const batch = job.data.batch ?? job.id!;
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const rows = await this.deliveries.pendingIn(batch);
    // Waiting for a busy address moves the job without spending an attempt, which takes the job's lock token.
    const patient = token !== undefined && Date.now() - job.timestamp < this.busyForAtMostMs;
    const { delivered, failures, unsendable, busyUntil } = await this.inLanes(rows, final, undefined, patient);
    // Some went out before one failed: the rest wait the first backoff, without spending an attempt (a job held by
    // no worker, without a lock token, spends one as before). So do the rest of a busy address's, until it takes more.
    const progressed = failures.length > 0 && delivered > 0 && token !== undefined;
    await this.recordFailures(unsendable, failures, final && !progressed && busyUntil === 0);
    if (progressed || busyUntil > 0) {
      await job.moveToDelayed(Math.max(progressed ? Date.now() + firstBackoffMs(job) : 0, busyUntil), token!);
      throw new DelayedError();
    }
    if (failures.length > 0) throw new Error(failures[0].error);
    return { delivered, failed: unsendable.length };
  }

  /**
   * Sends deliveries just recorded, without a job (`DirectDelivery`), as the first attempt of their batch's job would;
   * the lanes take no new message once `enough()` says so. Answers how many are left to send: those not tried and
   * those that failed (their attempt recorded), for the queue to send; none when `final` (the batch has one attempt
   * in all), which marks those that failed failed. `busyUntil`: when the address takes more, where it took no more
   * (0 if it did not say so).
   */
  async sendNow(
    rows: readonly Sendable[],
    enough: () => boolean,
    final = false,
  ): Promise<{ left: number; busyUntil: number }> {
    const { delivered, failures, unsendable, busyUntil } = await this.inLanes(rows, final, enough);
    await this.recordFailures(unsendable, failures, final);
    return { left: rows.length - delivered - unsendable.length - (final ? failures.length : 0), busyUntil };
  }

  /**
   * Records the attempts that failed: those through a channel this process does not have fail for good at once (no
   * attempt would send them); the others for good only when `failedForGood` (the last attempt), and are then logged.
   */
  private async recordFailures(unsendable: Failure[], failures: Failure[], failedForGood: boolean): Promise<void> {
    await this.deliveries.markAttemptsFailed(unsendable, true);
    await this.deliveries.markAttemptsFailed(failures, failedForGood);
    for (const { id, error } of [...unsendable, ...(failedForGood ? failures : [])])
      this.logger.warn(`delivery ${id} failed: ${error}`);
  }

  /**
   * Sends `rows` in `lanes` at once, each marked delivered as soon as it is sent. A failed send stops the lanes unless
   * `final` (they finish the messages in hand); so does `enough()`, and, when `patient`, an address that takes no
   * more for now (its pace, or its answer), whose messages are left as they are: `busyUntil` says until when (else
   * 0; an impatient attempt keeps no pace and counts a busy answer as a failure). Every lane ends before this does,
   * whatever one of them met: none sends on for an attempt that is over.
   */
  private async inLanes(
    rows: readonly Sendable[],
    final: boolean,
    enough: () => boolean = () => false,
    patient = true,
  ): Promise<{ delivered: number; failures: Failure[]; unsendable: Failure[]; busyUntil: number }> {
    const failures: Failure[] = [];
    const unsendable: Failure[] = [];
    const groups = this.together(rows);
    let delivered = 0;
    let next = 0;
    let stopped = false;
    let busyUntil = 0;
    const busy = (ms: number) => {
      busyUntil = Math.max(busyUntil, Date.now() + ms);
      stopped = true;
    };
    const lane = async (): Promise<void> => {
      while (!stopped && next < groups.length && !enough()) {
        const { channel, deliveries } = groups[next++];
        if (!channel) {
          for (const { id, address } of deliveries) unsendable.push({ id, error: unconfigured(address.kind) });
          continue;
        }
        const wait = patient ? await this.paced(channel, deliveries[0].address, () => stopped || enough()) : 0;
        if (wait > 0) {
          busy(wait);
          continue;
        }
        const error = await sent(channel, deliveries);
        // Counted from now on under the address's pace, when it was paced (the address may have had it as late as now).
        if (patient) this.paces.settle(addressKey(deliveries[0].address));
        if (error !== null && error.retryAfterMs !== null && patient) {
          this.paces.hold(addressKey(deliveries[0].address), error.retryAfterMs);
          busy(error.retryAfterMs);
          continue;
        }
        if (error !== null) {
          for (const { id } of deliveries) failures.push({ id, error: error.message });
          stopped = !final;
          continue;
        }
        try {
          await Promise.all(deliveries.map(({ id }) => this.deliveries.markDelivered(id)));
        } catch (markFailed) {
          stopped = true;
          throw markFailed;
        }
        delivered += deliveries.length;
      }
    };
    const ended = await Promise.allSettled(Array.from({ length: Math.min(this.lanes, groups.length) }, lane));
    const broken = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (broken) throw broken.reason;
    return { delivered, failures, unsendable, busyUntil };
  }

  /**
   * Takes the address's next place within its pace: 0 once taken (at once, or after a wait of up to LANE_WAIT_MS);
   * else how long until there is one. Gives up waiting when `over()`.
   */
  private async paced(channel: NotificationChannel, address: ChannelAddress, over: () => boolean): Promise<number> {
    const paces = channel.paceOf?.(address) ?? [];
    if (paces.length === 0) return 0;
    for (;;) {
      const wait = this.paces.take(addressKey(address), paces);
      if (wait === 0 || wait > LANE_WAIT_MS || over()) return wait;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * The rows as they go out, in order: each alone, or with those its channel carries in one message to the same
   * address (a robot group's notices listed together).
   */
  private together(rows: readonly Sendable[]): Array<{ channel?: NotificationChannel; deliveries: Sendable[] }> {
    const groups: Array<{ channel?: NotificationChannel; deliveries: Sendable[] }> = [];
    for (let start = 0; start < rows.length;) {
      const channel = this.channels.find((c) => c.kind === rows[start].address.kind);
      const address = JSON.stringify(rows[start].address);
      let end = start + 1;
      while (end < rows.length && JSON.stringify(rows[end].address) === address) end++;
      const same = rows.slice(start, end);
      if (!channel?.together || same.length === 1) groups.push(...same.map((row) => ({ channel, deliveries: [row] })));
      else
        for (const indexes of channel.together(
          same[0].address,
          same.map((row) => row.message),
        ))
          groups.push({ channel, deliveries: indexes.map((i) => same[i]) });
      start = end;
    }
    return groups;
  }
}

/** The job's first backoff: how long a batch waits after one of its messages failed. */
function firstBackoffMs(job: Job): number {
  const backoff = job.opts.backoff;
  return (typeof backoff === 'number' ? backoff : backoff?.delay) ?? 1000;
}

/**
 * Null once the channel took the messages (one, or several in one), else why it did not, and how long the address said
 * to wait where it is only busy.
 */
async function sent(
  channel: NotificationChannel,
  deliveries: readonly Sendable[],
): Promise<{ message: string; retryAfterMs: number | null } | null> {
  try {
    if (deliveries.length === 1) await channel.send(deliveries[0].address, deliveries[0].message);
    else
      await channel.sendTogether!(
        deliveries[0].address,
        deliveries.map((d) => d.message),
      );
    return null;
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error), retryAfterMs: retryAfterOf(error) };
  }
}

/** One address as the paces count it: a webhook by its URL (a robot's token is in it), an e-mail by its mailbox. */
function addressKey(address: ChannelAddress): string {
  return address.kind === 'webhook' ? address.url : `mailto:${address.address}`;
}

function unconfigured(kind: string): string {
  return kind === 'email' ? 'e-mail is not configured: set SMTP_URL and MAIL_FROM' : `no ${kind} channel is configured`;
}
