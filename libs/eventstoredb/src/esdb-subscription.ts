import { AsyncLocalStorage } from 'node:async_hooks';
import { eventTypeFilter, excludeSystemEvents, type EventStoreDBClient } from '@eventstore/db-client';
import {
  reportSubscriptionFailure,
  type GlobalPosition,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '@zhenggai/application';
import { positionOf, toStoredEvent } from './esdb-event-mapping';

const DEFAULT_BATCH_SIZE = 500;
const MAX_RECONNECT_DELAY_MS = 10_000;

// Tells `stop()` that it is called from inside the handler, where waiting for the handler would deadlock.
const runningHandler = new AsyncLocalStorage<EsdbSubscription>();

/**
 * The handler failed, or an event came that cannot be ordered (no `$all` position): the subscription reports it
 * and stops (the server failing only makes it subscribe again).
 */
class FatalFailure {
  constructor(readonly cause: unknown) {}
}

type ServerSubscription = ReturnType<EventStoreDBClient['subscribeToAll']>;

/**
 * A catch-up subscription to `$all` filtered on the server (the event-type prefixes, or every non-system
 * event), from the checkpoint of the last batch handled. Events are buffered as they arrive (the server
 * stream is paused while the handler is behind) and handed over in batches of at most `batchSize`, each
 * after the previous one settled. When the server goes away (or ends the call), it subscribes again from
 * its checkpoint, waiting a little longer each time, until the server is back or `stop()` is called.
 */
export class EsdbSubscription implements Subscription {
  readonly stopped: Promise<void>;
  private stopRequested = false;
  private wake: (() => void) | undefined;
  private checkpoint: GlobalPosition;
  private readonly batchSize: number;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly handler: (events: readonly StoredEvent[]) => Promise<void>,
    private readonly options: SubscribeOptions,
    private readonly reconnectDelayMs: number,
  ) {
    this.checkpoint = options.after ?? 0n;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.stopped = this.run();
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    this.wake?.();
    return runningHandler.getStore() === this ? Promise.resolve() : this.stopped;
  }

  private async run(): Promise<void> {
    let delay = this.reconnectDelayMs;
    while (!this.stopRequested) {
      const subscription = this.subscribe();
      try {
        const delivered = await this.consume(subscription);
        if (delivered) delay = this.reconnectDelayMs;
      } catch (error) {
        if (error instanceof FatalFailure) return reportSubscriptionFailure(this.options, error.cause);
        if (this.stopRequested) break;
        process.emitWarning(
          'event store subscription lost ' +
            `(${error instanceof Error ? error.message : String(error)}); ` +
            `subscribing again in ${delay} ms`,
        );
        await this.pause(delay);
        delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
      } finally {
        await subscription.unsubscribe().catch(() => undefined);
      }
    }
  }

  private subscribe(): ServerSubscription {
    const prefixes = this.options.eventTypePrefixes;
    return this.client.subscribeToAll({
      fromPosition: positionOf(this.checkpoint),
      filter: prefixes && prefixes.length > 0 ? eventTypeFilter({ prefixes: [...prefixes] }) : excludeSystemEvents(),
    });
  }

  /**
   * Hands the server's events to the handler until `stop()` (resolves) or a failure (rejects; a handler's
   * failure, or an event without a position, as `FatalFailure` once the events before it are handled).
   * Resolves `true` when it delivered anything.
   */
  private async consume(subscription: ServerSubscription): Promise<boolean> {
    const queue: StoredEvent[] = [];
    let failure: unknown;
    let delivered = false;
    const signal = () => this.wake?.();
    subscription.on('data', (resolved) => {
      if (failure instanceof FatalFailure) return;
      let event: StoredEvent | null;
      try {
        event = toStoredEvent(resolved);
      } catch (error) {
        failure = new FatalFailure(error);
        return signal();
      }
      const last = queue[queue.length - 1]?.position ?? this.checkpoint;
      if (event && event.position > last) queue.push(event);
      if (queue.length >= 2 * this.batchSize) subscription.pause();
      signal();
    });
    subscription.on('error', (error) => {
      failure ??= error;
      signal();
    });
    subscription.on('close', () => {
      failure ??= new Error('the server ended the subscription');
      signal();
    });
    while (!this.stopRequested) {
      if (queue.length === 0) {
        if (failure !== undefined) throw failure;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = queue.splice(0, this.batchSize);
      if (subscription.isPaused() && queue.length < this.batchSize) subscription.resume();
      try {
        await runningHandler.run(this, () => this.handler(batch));
      } catch (error) {
        throw new FatalFailure(error);
      }
      this.checkpoint = batch[batch.length - 1]!.position;
      delivered = true;
    }
    return delivered;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }
}
