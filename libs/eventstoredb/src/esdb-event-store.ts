import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  normaliseExpectedRevision,
  RunningSubscriptions,
  takesEventType,
  type AppendResult,
  type CheckedExpectedRevision,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '@zhenggai/application';
import { ConcurrencyError } from '@zhenggai/domain';
import { chainedEvents, commitPositionOf, eventIds, positionOf, toStoredEvent } from './esdb-event-mapping';
import { asEsdbFailure } from './esdb-failure';
import { isSupportedServerVersion, serverVersionOf, UnsupportedServerError } from './esdb-server-version';
import { EsdbSubscription } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  /** Events read from `$all` per round trip when reading or filtering client-side; default 1000. */
  readonly pageSize?: number;
  /**
   * How long a subscription waits before subscribing again after the server went away; default 500 ms, doubling to 10
   * s.
   */
  readonly reconnectDelayMs?: number;
}

/** Appends that raced (`any`, `stream_exists`) chain onto the new last event and try again, at most this often. */
const MAX_APPEND_ATTEMPTS = 100;

/**
 * The event store on EventStoreDB / KurrentDB (`@eventstore/db-client`). Streams keep the port's
 * `category-id` names, so the server's `$ce-category` streams work. The hash chain is computed here: an
 * append reads the stream's last event, chains onto its hash and appends expecting exactly that revision, so
 * a racing writer makes the server refuse it (a caller that expected `any` or `stream_exists` is then tried
 * again on the new last event; one that expected a revision or `no_stream` gets the `ConcurrencyError`).
 * Reads of `$all` skip system (`$`) events; subscriptions filter on the server and come back by themselves
 * after the server went away. `close()` stops the subscriptions and disposes of the client.
 * The server must be EventStoreDB 22.6 or later, or KurrentDB (`requireSupportedServer()`): a read event
 * without its `$all` position is refused (`MissingPositionError`), never handed out out of order.
 */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new RunningSubscriptions();
  private readonly pageSize: number;
  private readonly reconnectDelayMs: number;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 500;
  }

  /** A store on the server of a connection string (`esdb://host:2113?tls=false`, `esdb+discover://…`). */
  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = normaliseExpectedRevision(options.expectedRevision ?? 'any');
    const last = await this.lastEvent(streamName);
    if (events.length === 0)
      return last
        ? { nextExpectedRevision: last.revision, position: last.position }
        : { nextExpectedRevision: -1, position: 0n };
    const ids = eventIds(events);
    for (let attempt = 1, tail = last; ; attempt++) {
      if (!holds(expected, tail))
        throw new ConcurrencyError(streamName, String(expected), tail ? String(tail.revision) : 'no_stream');
      const chained = chainedEvents(streamName, events, ids, tail?.hash ?? null, tail ? tail.revision + 1 : 0);
      try {
        const result = await this.client.appendToStream(streamName, chained, {
          expectedRevision: tail ? BigInt(tail.revision) : NO_STREAM,
        });
        return { nextExpectedRevision: Number(result.nextExpectedRevision), position: result.position?.commit ?? 0n };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw asEsdbFailure(error);
        const current = await this.lastEvent(streamName);
        if (typeof expected === 'number' || expected === 'no_stream' || attempt >= MAX_APPEND_ATTEMPTS) {
          throw new ConcurrencyError(streamName, String(expected), current ? String(current.revision) : 'no_stream');
        }
        tail = current;
        if (attempt > 3) await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const fromRevision = options.fromRevision ?? 0;
    if (options.maxCount === 0) return [];
    const read = this.client.readStream(streamName, {
      direction: FORWARDS,
      fromRevision: fromRevision === 0 ? START : BigInt(fromRevision),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    return collectStored(read);
  }

  async existingStreams(streamNames: readonly string[]): Promise<ReadonlySet<string>> {
    // One read of each stream's first event, all at once over the client's single connection.
    const found = await Promise.all(
      streamNames.map(async (name) => ((await this.readStream(name, { maxCount: 1 })).length > 0 ? [name] : [])),
    );
    return new Set(found.flat());
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    const prefixes = options.eventTypePrefixes;
    const events: StoredEvent[] = [];
    if (limit <= 0) return events;
    // The client reads `$all` without a server-side filter: pages are read and filtered here. Each page is read
    // to its end (a read left half-way keeps its call open, and the client's dispose() would wait for it).
    let cursor = options.after ?? 0n;
    for (;;) {
      const page = await collect(
        this.client.readAll({ direction: FORWARDS, fromPosition: positionOf(cursor), maxCount: this.pageSize }),
      );
      for (const resolved of page) {
        const position = commitPositionOf(resolved);
        const event = toStoredEvent(resolved);
        if (position === null || position <= cursor) continue;
        cursor = position;
        if (event && takesEventType(prefixes, event.type)) {
          events.push(event);
          if (events.length >= limit) return events;
        }
      }
      if (page.length < this.pageSize) return events;
    }
  }

  /** The position of the last event in `$all` (system events included); 0n for an empty store. */
  async readHead(): Promise<GlobalPosition> {
    const [last] = await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    return (last && commitPositionOf(last)) ?? 0n;
  }

  /**
   * Refuses (`UnsupportedServerError`) a server older than `MINIMUM_SERVER_VERSION`, or one that does not say
   * its version; resolves to the version. Call it once before using the store: an older server's stream reads
   * carry no `$all` positions.
   */
  async requireSupportedServer(): Promise<string> {
    const version = await serverVersionOf(this.client);
    if (version === null || !isSupportedServerVersion(version)) throw new UnsupportedServerError(version);
    return version;
  }

  subscribeToAll(
    handler: (events: readonly StoredEvent[]) => Promise<void>,
    options: SubscribeOptions = {},
  ): Subscription {
    return this.subscriptions.track(new EsdbSubscription(this.client, handler, options, this.reconnectDelayMs));
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    await this.client.dispose();
  }

  private async lastEvent(streamName: string): Promise<StoredEvent | null> {
    const [last] = await collectStored(
      this.client.readStream(streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    return last ?? null;
  }
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const item of read) items.push(item);
  } catch (error) {
    throw asEsdbFailure(error);
  }
  return items;
}

/** The port's events of a read, in order; none when the stream does not exist. */
async function collectStored(read: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  try {
    for (const resolved of await collect(read)) {
      const event = toStoredEvent(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
}

function holds(expected: CheckedExpectedRevision, last: StoredEvent | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return last === null;
  if (expected === 'stream_exists') return last !== null;
  return last?.revision === expected;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
