import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '@zhenggai/application';
import { ConcurrencyError } from '@zhenggai/domain';
import {
  createPool,
  DuplicateEventIdError,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from '@zhenggai/postgres';
import type { Pool, PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { STREAM_APPEND_LOCK_CLASS } from './event-store.migrations';

/**
 * Group commit, made visible: a test transaction holds a stream's append lock, so that the call appending to it waits
 * in PostgreSQL while other appends arrive; with one call at a time they wait for the next call, and go in it together.
 */
describe('PostgresEventStore: concurrent appends share one call (group commit)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  const held: PoolClient[] = [];
  let calls: unknown[][];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 8 });
    await migrate(pool, eventStoreMigrations);
    store = new PostgresEventStore(pool, { groupCommit: { calls: 1 } });
  });

  beforeEach(() => {
    calls = [];
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    jest.spyOn(pool, 'query').mockImplementation(((
      config: { name?: string; values?: string[] },
      ...rest: unknown[]
    ) => {
      if (config?.name === 'zg_append_to_streams') calls.push(JSON.parse(config.values![0]!));
      return query(config, ...rest);
    }) as never);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const client of held.splice(0)) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  const newStream = () => `batchTest-${randomUUID()}`;
  const event = (type = 'Happened', id: string = randomUUID()) => ({ id, type, data: { n: 1 }, metadata: {} });

  /** Holds the append lock of a stream, as an append to it in another transaction would; returns its release. */
  async function hold(stream: string): Promise<() => Promise<void>> {
    const client = await pool.connect();
    held.push(client);
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [STREAM_APPEND_LOCK_CLASS, stream]);
    return async () => {
      held.splice(held.indexOf(client), 1);
      await client.query('COMMIT');
      client.release();
    };
  }

  /** Waits until a call of append_to_streams waits for a lock in PostgreSQL; answers its backend's pid. */
  async function callWaitingForLock(): Promise<number> {
    for (;;) {
      const { rows } = await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query LIKE '%append_to_streams%'`,
      );
      if (rows.length > 0) return rows[0]!.pid;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const streamsOf = (call: unknown[]) => (call as Array<{ stream: string }>).map((part) => part.stream);

  it('sends what arrives during a call in the next call, in one transaction, each with its own outcome', async () => {
    const [blocked, a, b, c, d, stale] = Array.from({ length: 6 }, newStream);
    await store.appendToStream(stale, [event()]);
    calls = [];
    const release = await hold(blocked);
    const first = store.appendToStream(blocked, [event()], { expectedRevision: 'no_stream' });
    await callWaitingForLock();

    const second = [
      store.appendToStream(a, [event(), event()], { expectedRevision: 'no_stream' }),
      store.appendToStreams([
        { streamName: b, events: [event()], expectedRevision: 'no_stream' },
        { streamName: c, events: [event()] },
      ]),
      store.appendToStream(stale, [event()], { expectedRevision: 5 }).catch((error: unknown) => error),
      store.appendToStream(d, [event()], { expectedRevision: 'no_stream' }),
    ];
    await release();

    expect(await first).toMatchObject({ nextExpectedRevision: 0 });
    const [toA, toBandC, toStale, toD] = await Promise.all(second);
    expect(toA).toMatchObject({ nextExpectedRevision: 1 });
    expect(toBandC).toEqual([
      { ok: true, result: expect.objectContaining({ nextExpectedRevision: 0 }) },
      { ok: true, result: expect.objectContaining({ nextExpectedRevision: 0 }) },
    ]);
    expect(toStale).toBeInstanceOf(ConcurrencyError);
    expect(toD).toMatchObject({ nextExpectedRevision: 0 });
    // Two calls: the one that waited, then the four appends that arrived meanwhile.
    expect(calls.map(streamsOf)).toEqual([[blocked], [a, b, c, stale, d]]);
    const { rows } = await pool.query<{ transactions: string; events: string }>(
      `SELECT count(DISTINCT transaction_id)::text AS transactions, count(*)::text AS events
         FROM events WHERE stream_name = ANY ($1)`,
      [[a, b, c, d]],
    );
    expect(rows[0]).toEqual({ transactions: '1', events: '5' });
    expect((await store.readStream(stale)).length).toBe(1);
  });

  it('never puts two appends to one stream in one call: the later goes in the call after', async () => {
    const [blocked, shared, other] = Array.from({ length: 3 }, newStream);
    const release = await hold(blocked);
    const first = store.appendToStream(blocked, [event()]);
    await callWaitingForLock();
    const appends = [
      store.appendToStream(shared, [event()], { expectedRevision: 'no_stream' }),
      store.appendToStream(shared, [event()], { expectedRevision: 0 }),
      store.appendToStream(other, [event()]),
    ];
    await release();
    await first;
    expect(await Promise.all(appends)).toMatchObject([
      { nextExpectedRevision: 0 },
      { nextExpectedRevision: 1 },
      { nextExpectedRevision: 0 },
    ]);
    expect(calls.map(streamsOf)).toEqual([[blocked], [shared, other], [shared]]);
  });

  it('redoes a call refused as a whole (an event id already stored) append by append: only one fails', async () => {
    const [blocked, a, b, taken] = Array.from({ length: 4 }, newStream);
    const stored = event();
    await store.appendToStream(taken, [stored]);
    calls = [];
    const release = await hold(blocked);
    const first = store.appendToStream(blocked, [event()]);
    await callWaitingForLock();
    const appends = [
      store.appendToStream(a, [event()]),
      store.appendToStream(b, [event('Again', stored.id)]).catch((error: unknown) => error),
    ];
    await release();
    await first;
    const [toA, again] = await Promise.all(appends);
    expect(toA).toMatchObject({ nextExpectedRevision: 0 });
    expect(again).toBeInstanceOf(DuplicateEventIdError);
    expect(calls.map(streamsOf)).toEqual([[blocked], [a, b], [a], [b]]);
    expect((await store.readStream(a)).length).toBe(1);
    expect(await store.readStream(b)).toEqual([]);
  });

  it('fails every append of a call whose connection is lost as unavailable, and stores none of them', async () => {
    const [blocked, locked, other] = Array.from({ length: 3 }, newStream);
    const releaseBlocked = await hold(blocked);
    const releaseLocked = await hold(locked);
    const first = store.appendToStream(blocked, [event()]);
    await callWaitingForLock();
    const appends = [locked, other].map((stream) =>
      store.appendToStream(stream, [event()]).catch((error: unknown) => error),
    );
    await releaseBlocked();
    await first;
    // The second call (both appends) now waits for `locked`: its connection is cut there.
    const pid = await callWaitingForLock();
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const outcomes = await Promise.all(appends);
    await releaseLocked();
    expect(outcomes.map((outcome) => outcome instanceof StoreUnavailableError)).toEqual([true, true]);
    expect(calls.map(streamsOf)).toEqual([[blocked], [locked, other]]);
    expect(await store.readStream(locked)).toEqual([]);
    expect(await store.readStream(other)).toEqual([]);
  });

  it('sends a lone append at once, and without group commit each append in its own call', async () => {
    const alone = new PostgresEventStore(pool, { groupCommit: false });
    try {
      const [blocked, a, b] = Array.from({ length: 3 }, newStream);
      await store.appendToStream(a, [event()]);
      expect(calls.map(streamsOf)).toEqual([[a]]);
      calls = [];
      const release = await hold(blocked);
      const first = alone.appendToStream(blocked, [event()]);
      await callWaitingForLock();
      // With the first call still waiting, the next one is made anyway.
      await alone.appendToStream(b, [event()]);
      await release();
      await first;
      expect(calls.map(streamsOf)).toEqual([[blocked], [b]]);
    } finally {
      await alone.close();
    }
  });
});
