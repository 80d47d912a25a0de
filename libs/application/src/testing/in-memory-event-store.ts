import { ConcurrencyError } from '@zhenggai/domain';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { reportSubscriptionFailure } from '../event-store/adapter-support';
import {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  leavingOut,
  takesEventType,
} from '../event-store/event-store.port';
import { chainHash, contentDigest } from '../event-store/hash-chain';

// Tells `stop()` that it is called from inside the handler, where waiting for the handler would deadlock.
const runningHandler = new AsyncLocalStorage<Subscription>();

/** A store in memory for unit tests of the application layer; counts reads so tests can see them saved. */
export class InMemoryEventStore implements EventStore {
  readonly events: StoredEvent[] = [];
  streamReads = 0;
  /** Calls of `existingStreams`. */
  existenceChecks = 0;
  private readonly subscribers = new Set<() => void>();

  async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const stream = this.events.filter((e) => e.streamName === streamName);
    const current = stream.length - 1;
    // As in the real stores, appending nothing checks nothing.
    if (events.length === 0) return { nextExpectedRevision: current, position: stream[current]?.position ?? 0n };
    const expected = options.expectedRevision ?? 'any';
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      expected === current;
    if (!ok) throw new ConcurrencyError(streamName, String(expected), String(current));
    let previousHash = stream[current]?.hash ?? null;
    const recordedAt = new Date().toISOString();
    const stored = events.map((event, i): StoredEvent => {
      const id = event.id ?? randomUUID();
      const revision = current + 1 + i;
      const hash = chainHash(
        previousHash,
        revision,
        contentDigest({ streamName, type: event.type, data: event.data, metadata: event.metadata, eventId: id }),
      );
      const storedEvent = {
        id,
        streamName,
        revision,
        position: BigInt(this.events.length + 1 + i),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt,
        previousHash,
        hash,
      };
      previousHash = hash;
      return storedEvent;
    });
    this.events.push(...stored);
    for (const wake of this.subscribers) wake();
    return { nextExpectedRevision: current + events.length, position: BigInt(this.events.length) };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.streamReads++;
    return this.events
      .filter((e) => e.streamName === streamName && e.revision >= (options.fromRevision ?? 0))
      .slice(0, options.maxCount);
  }

  async existingStreams(streamNames: readonly string[]): Promise<ReadonlySet<string>> {
    this.existenceChecks++;
    return new Set(streamNames.filter((name) => this.events.some((e) => e.streamName === name)));
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const after = options.after ?? 0n;
    return this.events
      .filter((e) => e.position > after && takesEventType(options.eventTypePrefixes, e.type))
      .slice(0, options.maxCount);
  }

  subscribeToAll(
    handler: (events: readonly StoredEvent[]) => Promise<void>,
    options: SubscribeOptions = {},
  ): Subscription {
    return new InMemorySubscription(this.events, this.subscribers, handler, options);
  }

  async close(): Promise<void> {}
}

/** A catch-up subscription on the array: delivers what is after its checkpoint, then waits for the next append. */
class InMemorySubscription implements Subscription {
  readonly stopped: Promise<void>;
  private stopRequested = false;
  private wake = (): void => undefined;

  constructor(
    private readonly events: readonly StoredEvent[],
    private readonly subscribers: Set<() => void>,
    private readonly handler: (events: readonly StoredEvent[]) => Promise<void>,
    private readonly options: SubscribeOptions,
  ) {
    this.stopped = this.run();
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    this.wake();
    // From inside the handler, waiting for the handler to end would never end.
    return runningHandler.getStore() === this ? Promise.resolve() : this.stopped;
  }

  private async run(): Promise<void> {
    const woken = () => this.wake();
    this.subscribers.add(woken);
    await Promise.resolve(); // the caller has its subscription before the first batch
    try {
      for (let checkpoint = this.options.after ?? 0n; !this.stopRequested;) {
        const batch = this.events
          .filter((e) => e.position > checkpoint && takesEventType(this.options.eventTypePrefixes, e.type))
          .slice(0, this.options.batchSize ?? 500)
          // Left out as the PostgreSQL store leaves them out, so that a handler that reads them anyway fails its tests.
          .map((e) => leavingOut(e, this.options.leaveOutKeys));
        if (batch.length === 0) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        await runningHandler.run(this, () => this.handler(batch));
        checkpoint = batch[batch.length - 1]!.position;
      }
    } catch (error) {
      reportSubscriptionFailure(this.options, error);
    } finally {
      this.subscribers.delete(woken);
    }
  }
}
