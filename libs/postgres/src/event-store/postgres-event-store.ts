import { randomUUID } from 'node:crypto';
import {
  appendStreamByStream,
  canonicalContent,
  normaliseExpectedRevision,
  RunningSubscriptions,
  type CheckedExpectedRevision,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ProjectionEventSource,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamAppend,
  type StreamAppendOutcome,
  type SubscribeOptions,
  type Subscription,
  StreamDamagedError,
  StoreUnavailableError,
} from '@zhenggai/application';
import { ConcurrencyError } from '@zhenggai/domain';
import type { Pool } from 'pg';
import { asPostgresFailure } from '../pool/connection-failure';
import { AppendBatches, type AppendBatchesOptions, type StreamPartRow } from './append-batches';
import { DuplicateEventIdError } from './duplicate-event-id.error';
import { EventNotifications } from './event-notifications';
import { PostgresSubscription } from './postgres-subscription';
import { STORED_EVENT_COLUMNS, STORED_EVENT_TYPES, toStoredEvent, type StoredEventRow } from './stored-event-row';
import { SharedEventReads } from './shared-event-reads';
import { postgresProjectionSource, readVisibleEvents } from './visible-events.query';

export interface PostgresEventStoreOptions {
  /**
   * How long an idle subscription waits before looking again when nothing woke it; default 250 ms.
   * Wake-ups come from appends (this object at once, other processes through NOTIFY), but an event can
   * also become readable when an older, unrelated transaction ends, which only polling notices.
   */
  readonly pollIntervalMs?: number;
  /** How concurrent appends are grouped into calls (see `AppendBatches`); `false`: each append its own call. */
  readonly groupCommit?: AppendBatchesOptions | false;
}

const UNIQUE_VIOLATION = '23505';

/**
 * The event store on PostgreSQL (schema: `eventStoreMigrations`). It uses the pool it is given and
 * does not end it; `close()` stops its subscriptions and their listening connection.
 */
export class PostgresEventStore implements EventStore {
  private readonly notifications: EventNotifications;
  private readonly subscriptions = new RunningSubscriptions();
  private readonly pollIntervalMs: number;
  private readonly batches: AppendBatches;
  /** What this process's subscriptions, and the runners given `liveProjectionSource`, read near the head. */
  private readonly shared: SharedEventReads;

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.notifications = new EventNotifications(pool);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batches = new AppendBatches(pool, options.groupCommit === false ? { calls: Infinity } : options.groupCommit);
    this.shared = new SharedEventReads({
      read: (after, limit, eventTypePrefixes, leaveOutKeys) =>
        readVisibleEvents(this.pool, { after, limit, eventTypePrefixes, leaveOutKeys }),
      // Heard while the store's subscriptions listen (a worker's reactions always do); otherwise its readers find
      // other processes' appends when what they were answered is maxAgeMs old.
      onAppended: (appended) => this.notifications.observe(appended),
      maxAgeMs: Math.min(100, this.pollIntervalMs),
    });
  }

  /**
   * The store as a projection runner reads its batches, sharing the reads near the head with this store's
   * subscriptions and the other runners given it (`SharedEventReads`): one query a while for all of them.
   */
  liveProjectionSource(): ProjectionEventSource {
    return {
      ...postgresProjectionSource(this.pool),
      readPage: (query) => this.shared.read(query.after, query.limit, query.eventTypePrefixes, query.leaveOutKeys),
    };
  }

  async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = normaliseExpectedRevision(options.expectedRevision ?? 'any');
    if (events.length === 0) return this.streamEnd(streamName);
    const payload = appendPayload(streamName, events);
    let row: StreamPartRow;
    try {
      [row] = (await this.batches.append([{ stream: streamName, expected: String(expected), ...payload }])) as [
        StreamPartRow,
      ];
    } catch (error) {
      throw await this.appendFailure(streamName, expected, error);
    }
    if (row.next_revision === null || row.last_position === null) {
      throw await this.expectationFailure(streamName, expected);
    }
    this.notifications.appended(payload.types);
    return { nextExpectedRevision: Number(row.next_revision), position: BigInt(row.last_position) };
  }

  /**
   * One call of `append_to_streams` for every stream. Should the call fail as a whole for a reason of one stream's (an
   * event id already stored, a stream whose record disagrees with its events), each stream is appended alone, so that
   * each outcome says its own reason and the others are appended.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    if (new Set(appends.map((a) => a.streamName)).size !== appends.length) {
      throw new RangeError('appendToStreams names a stream twice');
    }
    const outcomes = new Array<StreamAppendOutcome | undefined>(appends.length);
    const parts: Array<{ i: number; stream: string; expected: CheckedExpectedRevision; payload: AppendPayload }> = [];
    appends.forEach(({ streamName, events, expectedRevision }, i) => {
      try {
        const expected = normaliseExpectedRevision(expectedRevision ?? 'any');
        if (events.length > 0)
          parts.push({ i, stream: streamName, expected, payload: appendPayload(streamName, events) });
      } catch (error) {
        outcomes[i] = { ok: false, error: error as Error };
      }
    });
    let rows: StreamPartRow[] = [];
    if (parts.length > 0) {
      try {
        rows = await this.batches.append(
          parts.map(({ stream, expected, payload }) => ({ stream, expected: String(expected), ...payload })),
        );
      } catch (error) {
        const failure = asPostgresFailure(error);
        if (failure instanceof StoreUnavailableError) throw failure;
        return appendStreamByStream(this, appends);
      }
    }
    for (const [ordinal, row] of rows.entries()) {
      const part = parts[ordinal]!;
      if (row.next_revision === null || row.last_position === null) {
        outcomes[part.i] = {
          ok: false,
          error: await this.expectationFailure(part.stream, part.expected),
        };
        continue;
      }
      this.notifications.appended(part.payload.types);
      outcomes[part.i] = {
        ok: true,
        result: { nextExpectedRevision: Number(row.next_revision), position: BigInt(row.last_position) },
      };
    }
    // Streams given no events: their end, as `appendToStream` answers an empty append.
    for (const [i, { streamName }] of appends.entries()) {
      outcomes[i] ??= { ok: true, result: await this.streamEnd(streamName) };
    }
    return outcomes as StreamAppendOutcome[];
  }

  async readStreams(streamNames: readonly string[]): Promise<ReadonlyMap<string, StoredEvent[]>> {
    const byStream = new Map<string, StoredEvent[]>(streamNames.map((name) => [name, []]));
    if (streamNames.length === 0) return byStream;
    const { rows } = await this.pool
      .query<StoredEventRow>({
        name: 'zg_read_streams',
        text: `SELECT ${STORED_EVENT_COLUMNS} FROM events
               WHERE stream_name = ANY ($1::text[]) ORDER BY stream_name, stream_revision`,
        values: [streamNames],
        types: STORED_EVENT_TYPES,
      })
      .catch(rethrowAsPostgresFailure);
    for (const row of rows) byStream.get(row.stream_name)?.push(toStoredEvent(row));
    return byStream;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const { rows } = await this.pool
      .query<StoredEventRow>({
        name: 'zg_read_stream',
        text: `SELECT ${STORED_EVENT_COLUMNS} FROM events
               WHERE stream_name = $1 AND stream_revision >= $2
               ORDER BY stream_revision LIMIT $3`,
        values: [streamName, options.fromRevision ?? 0, options.maxCount ?? null],
        types: STORED_EVENT_TYPES,
      })
      .catch(rethrowAsPostgresFailure);
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const page = await readVisibleEvents(this.pool, {
      after: options.after ?? 0n,
      limit: options.maxCount,
      eventTypePrefixes: options.eventTypePrefixes,
    }).catch(rethrowAsPostgresFailure);
    return page.events;
  }

  async readAllCommitted(options: Pick<ReadAllOptions, 'after' | 'maxCount'> = {}): Promise<StoredEvent[]> {
    const { rows } = await this.pool
      .query<StoredEventRow>({
        text: `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
        values: [(options.after ?? 0n).toString(), options.maxCount ?? null],
        types: STORED_EVENT_TYPES,
      })
      .catch(rethrowAsPostgresFailure);
    return rows.map(toStoredEvent);
  }

  async recordedRevision(streamName: string): Promise<number | null> {
    const { rows } = await this.pool
      .query<{ revision: string }>('SELECT revision FROM streams WHERE stream_name = $1', [streamName])
      .catch(rethrowAsPostgresFailure);
    return rows[0] ? Number(rows[0].revision) : null;
  }

  async existingStreams(streamNames: readonly string[]): Promise<ReadonlySet<string>> {
    if (streamNames.length === 0) return new Set();
    // Each stream's first event, by the (stream, revision) key: one index probe a name.
    const { rows } = await this.pool
      .query<{ stream_name: string }>({
        name: 'zg_existing_streams',
        text: 'SELECT stream_name FROM events WHERE stream_name = ANY ($1::text[]) AND stream_revision = 0',
        values: [streamNames],
      })
      .catch(rethrowAsPostgresFailure);
    return new Set(rows.map((row) => row.stream_name));
  }

  subscribeToAll(
    handler: (events: readonly StoredEvent[]) => Promise<void>,
    options: SubscribeOptions = {},
  ): Subscription {
    const subscription = new PostgresSubscription(
      {
        read: (after, limit, eventTypePrefixes, leaveOutKeys) =>
          this.shared.read(after, limit, eventTypePrefixes, leaveOutKeys),
        onWake: (wake, eventTypePrefixes) => this.notifications.subscribe(wake, eventTypePrefixes),
        pollIntervalMs: this.pollIntervalMs,
      },
      handler,
      options,
    );
    return this.subscriptions.track(subscription);
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    this.shared.close();
    await this.notifications.close();
  }

  /** The answer to an empty append: the stream's revision and its last event's position. */
  private async streamEnd(streamName: string): Promise<AppendResult> {
    const { rows } = await this.pool
      .query<{ stream_revision: string; global_position: string }>(
        `SELECT stream_revision, global_position FROM events
         WHERE stream_name = $1 ORDER BY stream_revision DESC LIMIT 1`,
        [streamName],
      )
      .catch(rethrowAsPostgresFailure);
    const last = rows[0];
    return last
      ? { nextExpectedRevision: Number(last.stream_revision), position: BigInt(last.global_position) }
      : { nextExpectedRevision: -1, position: 0n };
  }

  private async appendFailure(streamName: string, expected: CheckedExpectedRevision, error: unknown): Promise<unknown> {
    const constraint =
      (error as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION
        ? (error as { constraint?: string }).constraint
        : undefined;
    if (constraint === 'events_event_id_key') return new DuplicateEventIdError(streamName, error);
    if (constraint !== 'events_stream_revision_key') return asPostgresFailure(error);
    // The streams table said the revision was free but an event holds it: trust the events.
    return new ConcurrencyError(
      streamName,
      String(expected),
      (await this.lastEventRevision(streamName)) ?? 'no_stream',
    );
  }

  /**
   * The expected revision does not hold against the streams table. Either the caller is behind (a concurrency
   * error, 412), or the table disagrees with the events themselves: one was deleted or added by hand, and every
   * append would be refused as stale forever. That is said as it is, with where to look. Both are read in one
   * statement, so in one snapshot: read one after the other, an append committed in between would look like damage.
   * The revision the refused call saw is not compared either, for the same reason.
   */
  private async expectationFailure(streamName: string, expected: CheckedExpectedRevision): Promise<Error> {
    const { rows } = await this.pool
      .query<{ recorded: string | null; last: string | null }>(
        `SELECT (SELECT revision::text FROM streams WHERE stream_name = $1) AS recorded,
                (SELECT max(stream_revision)::text FROM events WHERE stream_name = $1) AS last`,
        [streamName],
      )
      .catch(rethrowAsPostgresFailure);
    const { recorded, last } = rows[0]!;
    if (last !== recorded) return new StreamDamagedError(streamName, recorded ?? 'no_stream', last ?? 'no_stream');
    return new ConcurrencyError(streamName, String(expected), recorded ?? 'no_stream');
  }

  private async lastEventRevision(streamName: string): Promise<string | null> {
    const { rows } = await this.pool
      .query<{ revision: string | null }>(
        'SELECT max(stream_revision)::text AS revision FROM events WHERE stream_name = $1',
        [streamName],
      )
      .catch(rethrowAsPostgresFailure);
    return rows[0]?.revision ?? null;
  }
}

/** What `append_to_streams` takes of a stream's events, as JSON text, and their types. */
interface AppendPayload {
  /** The events as a JSON array: each its id as stored, type, data, metadata and content digest (to chain). */
  readonly events: string;
  readonly count: number;
  readonly types: readonly string[];
}

/**
 * Each event's id as stored, and its data and metadata as the canonical texts its digest was computed from: each event
 * is serialized once, for the digest and for the store.
 */
function appendPayload(streamName: string, events: readonly EventToAppend[]): AppendPayload {
  let json = '[';
  const types = new Array<string>(events.length);
  events.forEach((event, i) => {
    const id = canonicalUuid(event.id ?? randomUUID());
    // The database chains this digest onto the stream's previous hash once it knows the revision.
    const content = canonicalContent({
      streamName,
      type: event.type,
      data: event.data ?? null,
      metadata: event.metadata ?? {},
      eventId: id,
    });
    json +=
      `${i > 0 ? ',' : ''}{"id":${JSON.stringify(id)},"type":${JSON.stringify(event.type)},` +
      `"data":${content.data ?? 'null'},"metadata":${content.metadata ?? '{}'},"digest":"${content.digest}"}`;
    types[i] = event.type;
  });
  return { events: `${json}]`, count: events.length, types };
}
function rethrowAsPostgresFailure(error: unknown): never {
  throw asPostgresFailure(error);
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The text PostgreSQL gives back for a uuid (lowercase, hyphenated), so that the id digested is the id
 * stored; what is no uuid is left for the database to refuse.
 */
function canonicalUuid(id: string): string {
  // Almost every id is already so (randomUUID's, and ids derived from a name): no new strings for those.
  if (CANONICAL_UUID.test(id)) return id;
  const hex = id.replace(/[{}-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return id;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
