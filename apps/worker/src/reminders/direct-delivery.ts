import { Logger } from '@nestjs/common';
import { DeliveryJobs } from '@zhenggai/platform';
import { PostgresDeliveries } from '@zhenggai/postgres';
import { DeliveryProcessor, Sendable } from './delivery.processor';

/** How long a batch is sent at once before what is left of it goes to the queue. */
export const DIRECT_BUDGET_MS = 30_000;

/**
 * How long the ledger holds a batch sent at once for the process sending it (the reconciliation leaves it alone until
 * then). The process renews the hold every third of it while it sends (a slow address, a batch at its budget's end,
 * a message in hand), and lets go once it hands the rest to the queue; a process that died stops renewing, and its
 * batches are the reconciliation's within this long.
 */
export const DIRECT_GRACE_MS = 30_000;

/** How many batches one process sends at once, by default; the next go to the queue. */
export const DIRECT_BATCHES = 8;

/**
 * Sends a batch of deliveries at once, in the process that has just recorded them, instead of queuing a job that a
 * worker then claims, reads the batch back for and finishes: on BullMQ's PostgreSQL backend those are five statements
 * a batch, and under a stream of commands a batch holds a few notices (issue 19). Only a batch whose rows the
 * recording call wrote itself is taken (`RecordedDelivery.fresh`): no replay and no other worker has it in hand. What
 * is not sent, a message that failed and those after it, those left when DIRECT_BUDGET_MS has passed or the process
 * stops, goes to the queue as the batch's job, which retries as for any batch, and the ledger's hold on its rows is
 * released (should the queue lose the job, the reconciliation queues it again at once). While it sends, the hold is
 * renewed. A process killed meanwhile leaves pending rows and no job: the reconciliation queues them once their hold,
 * DIRECT_GRACE_MS since its last renewal, is over. As with a job, a message sent and not yet marked (one a lane) is
 * sent again then, with the same delivery id.
 */
export class DirectDelivery {
  private readonly logger = new Logger('DirectDelivery');
  private readonly sending = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly jobs: DeliveryJobs,
    private readonly deliveries: PostgresDeliveries,
    private readonly options: { readonly batches?: number; readonly budgetMs?: number; readonly graceMs?: number } = {},
  ) {}

  /** How long the ledger holds a batch this sends at once for it (DIRECT_GRACE_MS). */
  get graceMs(): number {
    return this.options.graceMs ?? DIRECT_GRACE_MS;
  }

  /** How many more batches it would take now (none once the process is stopping). */
  room(): number {
    return this.stopping ? 0 : Math.max(0, (this.options.batches ?? DIRECT_BATCHES) - this.sending.size);
  }

  /**
   * Starts sending the batch (in the order given) unless DIRECT_BATCHES are on their way already or the process is
   * stopping; answers whether it took it (else the caller queues it). Resolves nothing: the batch goes on alone.
   */
  take(batch: string, rows: readonly Sendable[]): boolean {
    if (this.room() === 0) return false;
    this.held.add(batch);
    this.renewing ??= this.graceMs > 0 ? this.renewHolds() : undefined;
    const sending: Promise<void> = this.sendOrHandOver(batch, rows).finally(() => {
      this.sending.delete(sending);
      this.held.delete(batch);
      if (this.held.size === 0) {
        clearInterval(this.renewing);
        this.renewing = undefined;
      }
    });
    this.sending.add(sending);
    return true;
  }

  /** Takes no more batches; those on their way finish the messages in hand and hand the rest to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.sending]);
    clearInterval(this.renewing);
    this.renewing = undefined;
  }

  /** The batches on their way, whose holds are renewed. */
  private readonly held = new Set<string>();
  private renewing: NodeJS.Timeout | undefined;

  /** Every third of the grace, one statement renews the holds of every batch on its way. */
  private renewHolds(): NodeJS.Timeout {
    const timer = setInterval(() => {
      if (this.held.size === 0) return;
      void this.deliveries
        .hold([...this.held], this.graceMs)
        .catch((error: Error) => this.logger.warn(`holds not renewed (${error.message}); the next try renews them`));
    }, this.graceMs / 3);
    timer.unref();
    return timer;
  }

  private async sendOrHandOver(batch: string, rows: readonly Sendable[]): Promise<void> {
    const until = performance.now() + (this.options.budgetMs ?? DIRECT_BUDGET_MS);
    // The batch's first attempt: with one attempt in all it is the last, and what fails is marked failed.
    const last = this.jobs.attempts <= 1;
    let left: number;
    let failed = false;
    let busyUntil = 0;
    try {
      ({ left, busyUntil } = await this.processor.sendNow(
        rows,
        () => this.stopping || performance.now() >= until,
        last,
      ));
      failed = left > 0 && busyUntil === 0 && !this.stopping && performance.now() < until;
    } catch (error) {
      // The ledger could not be written (a mark): the queue's job reads the batch again.
      this.logger.warn(`batch ${batch}: ${error instanceof Error ? error.message : String(error)}; queued`);
      left = rows.length;
      failed = true;
    }
    if (left === 0) return;
    try {
      // After a failure the rest waits the first backoff, as a job's would, with the attempts left; an address that
      // takes no more for now (a robot's pace), until it does, with every attempt left; time up or stopping, it goes
      // on at once.
      await this.jobs.enqueue([
        failed
          ? { batch, delayMs: this.jobs.firstBackoffMs, attemptsSpent: 1 }
          : { batch, delayMs: Math.max(0, busyUntil - Date.now()) },
      ]);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.logger.error(`batch ${batch}: ${left} deliveries not sent and not queued (${why}); the reconciliation will`);
    }
    // Queued or not, it is no longer in hand here: the reconciliation queues it again if the queue lost it (or never
    // had it), without waiting out the grace. (A renewal already on its way may hold it once more, for one grace.)
    this.held.delete(batch);
    await this.deliveries
      .release([batch])
      .catch((error: Error) =>
        this.logger.warn(`batch ${batch}: still held until its grace is over (${error.message})`),
      );
  }
}
