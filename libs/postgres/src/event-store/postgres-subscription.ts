import { AsyncLocalStorage } from 'node:async_hooks';
import {
  reportSubscriptionFailure,
  type GlobalPosition,
  type LeaveOutKeys,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '@zhenggai/application';
import type { VisibleEventsPage } from './visible-events.query';
import { InterruptibleWait } from '../support/interruptible-wait';
import { isPostgresConnectionFailure } from '../pool/connection-failure';

export interface SubscriptionSource {
  read(
    after: GlobalPosition,
    limit: number,
    eventTypePrefixes?: readonly string[],
    leaveOutKeys?: LeaveOutKeys,
  ): Promise<VisibleEventsPage>;
  /**
   * Calls `wake` whenever new events of these types (all without prefixes) may be readable; the returned function stops
   * that.
   */
  onWake(wake: () => void, eventTypePrefixes?: readonly string[]): () => Promise<void>;
  readonly pollIntervalMs: number;
}

const DEFAULT_BATCH_SIZE = 500;
/** After a read found PostgreSQL out of reach: the first wait before reading again, doubling up to the last. */
const READ_RETRY_FIRST_MS = 500;
const READ_RETRY_MAX_MS = 10_000;

// Tells `stop()` that it is called from inside the handler, where waiting for the handler would deadlock.
const runningHandler = new AsyncLocalStorage<PostgresSubscription>();

/**
 * A catch-up subscription: reads pages after its checkpoint and hands each to the handler, waiting for
 * it; once caught up it sleeps until woken (an append here or a NOTIFY) or until the poll interval
 * passes (an event may become readable only when an older transaction ends, which nobody announces).
 * PostgreSQL out of reach (restarting, a network cut) does not end it: it reads again, waiting longer each
 * time, as the EventStoreDB subscription subscribes again. Other errors (its handler's among them) end it.
 */
export class PostgresSubscription implements Subscription {
  readonly stopped: Promise<void>;
  private stopRequested = false;
  private woken = false;
  /** The idle wait, which an append or `stop()` ends. */
  private readonly idle = new InterruptibleWait();
  /** The linger after a batch, which only `stop()` ends. */
  private readonly lingering = new InterruptibleWait();

  constructor(
    private readonly source: SubscriptionSource,
    private readonly handler: (events: readonly StoredEvent[]) => Promise<void>,
    private readonly options: SubscribeOptions,
  ) {
    this.stopped = this.run();
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    this.idle.end();
    this.lingering.end();
    return runningHandler.getStore() === this ? Promise.resolve() : this.stopped;
  }

  private async run(): Promise<void> {
    const stopWaking = this.source.onWake(() => {
      this.woken = true;
      this.idle.end();
    }, this.options.eventTypePrefixes);
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    let checkpoint = this.options.after ?? 0n;
    // While the handler works on a full page, the next one is read (far behind, a reaction's handler and the store's
    // read then overlap instead of taking turns on two cores).
    let next: Promise<VisibleEventsPage | null> | null = null;
    try {
      while (!this.stopRequested) {
        this.woken = false;
        const page = await (next ?? this.read(checkpoint, batchSize));
        next = null;
        if (page === null || this.stopRequested) break;
        const full = page.events.length === batchSize;
        if (full) {
          next = this.read(page.events[page.events.length - 1]!.position, batchSize);
          // Awaited by the next turn of the loop; should the handler fail first, nobody awaits it.
          next.catch(() => undefined);
        }
        if (page.events.length > 0) {
          await runningHandler.run(this, () => this.handler(page.events));
        }
        // A short page means everything up to the high-water mark has been seen, matching or not.
        const seen = full ? page.events[page.events.length - 1]!.position : page.highWater;
        if (seen > checkpoint) checkpoint = seen;
        if (!full) {
          await this.sleep();
          await this.linger();
        }
      }
    } catch (error) {
      reportSubscriptionFailure(this.options, error);
    } finally {
      // A read of the next page still retrying against a PostgreSQL out of reach gives up.
      this.stopRequested = true;
      this.idle.end();
      await stopWaking();
    }
  }

  /** The next page; while PostgreSQL is out of reach, read again after a while. Null when stopped meanwhile. */
  private async read(after: GlobalPosition, limit: number): Promise<VisibleEventsPage | null> {
    for (let delay = READ_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, READ_RETRY_MAX_MS)) {
      try {
        return await this.source.read(after, limit, this.options.eventTypePrefixes, this.options.leaveOutKeys);
      } catch (error) {
        if (!isPostgresConnectionFailure(error) || this.stopRequested) throw error;
        process.emitWarning(
          `event store subscription cannot read (${(error as Error).message}); reading again in ${delay} ms`,
        );
        await this.idle.for(delay);
        if (this.stopRequested) return null;
      }
    }
  }

  /** Waits `lingerMs` (if any) so that the appends of that while are read in one batch; cut short by `stop()`. */
  private async linger(): Promise<void> {
    const lingerMs = this.options.lingerMs ?? 0;
    if (lingerMs <= 0 || this.stopRequested) return;
    await this.lingering.for(lingerMs);
  }

  private async sleep(): Promise<void> {
    if (this.woken || this.stopRequested) return;
    await this.idle.for(this.source.pollIntervalMs);
  }
}
