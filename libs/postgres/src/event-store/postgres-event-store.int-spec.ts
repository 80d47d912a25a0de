import { randomUUID } from 'node:crypto';
import {
  contentDigest,
  StoreUnavailableError,
  StreamDamagedError,
  verifyStoredStream,
  type GlobalPosition,
  type StoredEvent,
  type Subscription,
} from '@zhenggai/application';
import { ConcurrencyError } from '@zhenggai/domain';
import {
  createPool,
  DuplicateEventIdError,
  EVENTS_APPENDED_CHANNEL,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { describeEventStoreContract } from '../../../../test/contract/event-store.contract';
import { TcpProxy } from '../../../../test/support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';

describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const pool = createPool(database.url);
  await migrate(pool, eventStoreMigrations);
  const store = new PostgresEventStore(pool);
  return {
    store,
    teardown: async () => {
      await store.close();
      await pool.end();
      await database.drop();
    },
  };
});

describe('PostgresEventStore on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  const pools: Pool[] = [];
  const stores: PostgresEventStore[] = [];
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = openPool();
    await migrate(pool, eventStoreMigrations);
    store = openStore(pool);
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(pools.map((p) => p.end()));
    await database?.drop();
  });

  /** A pool of `max` sessions, in `timeZone` if given (PostgreSQL then writes times in it). */
  function openPool(max = 10, timeZone?: string): Pool {
    const url = timeZone ? `${database.url}?options=${encodeURIComponent(`-c TimeZone=${timeZone}`)}` : database.url;
    const opened = createPool(url, { max });
    pools.push(opened);
    return opened;
  }

  function openStore(on: Pool, pollIntervalMs?: number): PostgresEventStore {
    const opened = new PostgresEventStore(on, { pollIntervalMs });
    stores.push(opened);
    return opened;
  }

  function collect(from: PostgresEventStore, after: GlobalPosition) {
    const delivered: StoredEvent[] = [];
    const subscription = from.subscribeToAll(async (events) => void delivered.push(...events), { after });
    subscriptions.push(subscription);
    return { subscription, delivered };
  }

  const newStream = () => `pgTest-${randomUUID()}`;
  const event = (type: string, data: unknown = {}) => ({ id: randomUUID(), type, data, metadata: {} });
  /** The payload of `append_to_stream`, as the adapter sends it. */
  const appendPayload = (streamName: string, events: ReturnType<typeof event>[]) =>
    JSON.stringify(
      events.map((e) => ({
        ...e,
        digest: contentDigest({ streamName, type: e.type, data: e.data, metadata: e.metadata, eventId: e.id }),
      })),
    );
  const marker = async () => (await store.appendToStream(newStream(), [event('Marker')])).position;

  /** Appends through the SQL function inside a transaction the test keeps open. */
  async function openAppendTransaction(streamName: string, events: ReturnType<typeof event>[]) {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('SELECT * FROM append_to_stream($1, $2, $3)', [
      streamName,
      'any',
      appendPayload(streamName, events),
    ]);
    return {
      commit: async () => {
        await client.query('COMMIT');
        client.release();
      },
    };
  }

  it("reads each event's recorded time as ISO text in UTC, whatever the session's time zone", async () => {
    const streamName = newStream();
    await store.appendToStream(streamName, [event('Timed'), event('Timed')]);
    const { rows } = await pool.query<{ ms: string }>(
      `SELECT floor(extract(epoch FROM recorded_at) * 1000)::int8::text AS ms
         FROM events WHERE stream_name = $1 ORDER BY stream_revision`,
      [streamName],
    );
    const recorded = rows.map((r) => new Date(Number(r.ms)).toISOString());
    const inShanghai = openStore(openPool(2, 'Asia/Shanghai'));
    for (const reader of [store, inShanghai]) {
      const first = (await reader.readStream(streamName))[0]!.position - 1n;
      // Read by all once no older transaction (of another database on the server, too) is still running.
      let visible: StoredEvent[] = [];
      await waitFor(async () => (visible = await reader.readAll({ after: first, maxCount: 2 })).length === 2);
      const reads = [
        await reader.readStream(streamName),
        (await reader.readStreams([streamName])).get(streamName)!,
        visible,
        await reader.readAllCommitted({ after: first, maxCount: 2 }),
      ];
      for (const read of reads) expect(read.map((e) => e.recordedAt)).toEqual(recorded);
    }
  });

  describe('commit order', () => {
    it('holds back an event committed while a transaction with a lower position is still open', async () => {
      const after = await marker();
      const readerPool = openPool(2);
      const reads = readsOn(readerPool);
      const subscriber = collect(openStore(readerPool, 50), after);
      const [slowStream, fastStream] = [newStream(), newStream()];
      const slow = await openAppendTransaction(slowStream, [event('Slow')]);

      const fast = await store.appendToStream(fastStream, [event('Fast')]);
      // Two reads begun since: the first after Fast committed, the second only once the first page was handled.
      const readsBefore = reads.count;
      await waitFor(() => reads.count >= readsBefore + 2);

      expect(await store.readStream(fastStream)).toHaveLength(1);
      expect((await store.readAll({ after })).map((e) => e.type)).not.toContain('Fast');
      expect(subscriber.delivered.map((e) => e.type)).not.toContain('Fast');

      await slow.commit();
      await waitFor(() => subscriber.delivered.length === 2);
      expect(subscriber.delivered.map((e) => e.type)).toEqual(['Slow', 'Fast']);
      expect(subscriber.delivered[0]!.position < fast.position).toBe(true);
      expect((await store.readAll({ after })).map((e) => e.type)).toEqual(['Slow', 'Fast']);
    });

    it(
      'refuses an append that is not the first write of its transaction (its ' + 'id would precede its positions)',
      async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SELECT pg_current_xact_id()');
          const late = newStream();
          await expect(
            client.query('SELECT * FROM append_to_stream($1, $2, $3)', [
              late,
              'any',
              appendPayload(late, [event('Late')]),
            ]),
          ).rejects.toMatchObject({ code: '25000' });
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
      },
    );

    it(
      'concurrent writers (one stream or several at once), slow and rolled-back transactions: readers get ' +
        'every committed event once, in order',
      async () => {
        const after = await marker();
        const committed = new Set<string>();
        const rolledBack = new Set<string>();
        const reader = openStore(openPool(2), 20);
        const subscriber = collect(reader, after);
        const polled = pollReadAll(reader, after);

        const writerPools = [openPool(5), openPool(5), openPool(5)];
        const writer = async (writerPool: Pool, writerIndex: number) => {
          const writerStore = new PostgresEventStore(writerPool);
          const stream = newStream();
          for (let n = 0; n < 40; n++) {
            const events = Array.from({ length: 1 + (n % 3) }, () => event('Stress', { writerIndex, n }));
            if (n % 4 === 1) {
              // A transaction that takes its positions, then sleeps while others commit after it.
              const client = await writerPool.connect();
              const rollBack = n % 16 === 9;
              try {
                await client.query('BEGIN');
                await client.query('SELECT * FROM append_to_stream($1, $2, $3)', [
                  `${stream}-slow`,
                  'any',
                  appendPayload(`${stream}-slow`, events),
                ]);
                await client.query('SELECT pg_sleep($1)', [Math.random() * 0.08]);
                await client.query(rollBack ? 'ROLLBACK' : 'COMMIT');
              } finally {
                client.release();
              }
              for (const { id } of events) (rollBack ? rolledBack : committed).add(id);
            } else if (n % 4 === 3) {
              // Several streams in one transaction (`append_to_streams`), beside the single-stream appends.
              const elsewhere = [event('Stress', { writerIndex, n, elsewhere: true })];
              const outcomes = await writerStore.appendToStreams([
                { streamName: stream, events },
                { streamName: `${stream}-elsewhere`, events: elsewhere },
              ]);
              expect(outcomes.every((o) => o.ok)).toBe(true);
              for (const { id } of [...events, ...elsewhere]) committed.add(id);
            } else {
              await writerStore.appendToStream(stream, events);
              for (const { id } of events) committed.add(id);
            }
          }
        };
        await Promise.all(
          writerPools.flatMap((writerPool, p) => [0, 1, 2, 3].map((w) => writer(writerPool, p * 4 + w))),
        );
        // Appended after every writer is done: once both readers have it, they have had all they will get before it.
        const last = event('Last');
        await store.appendToStream(newStream(), [last]);

        const reached = (delivered: StoredEvent[]) => delivered.some((e) => e.id === last.id);
        await waitFor(() => reached(subscriber.delivered) && reached(polled.seen), 20_000);
        await polled.stop();

        for (const delivered of [subscriber.delivered, polled.seen]) {
          expect(delivered[delivered.length - 1]!.id).toBe(last.id);
          const ids = delivered.slice(0, -1).map((e) => e.id);
          expect(ids).toHaveLength(committed.size);
          expect(new Set(ids)).toEqual(committed);
          expect(ids.some((id) => rolledBack.has(id))).toBe(false);
          expect(isStrictlyIncreasing(delivered.map((e) => e.position))).toBe(true);
        }
        expect(rolledBack.size).toBeGreaterThan(0);
      },
    );
  });

  describe('database-enforced revisions', () => {
    it('refuses a second event at the same revision even when written by hand', async () => {
      const stream = newStream();
      await store.appendToStream(stream, [event('First')]);

      await expect(
        pool.query(
          `INSERT INTO events (stream_name, stream_revision, event_id, type, data) VALUES ($1, 0, $2, 'Forged', '{}')`,
          [stream, randomUUID()],
        ),
      ).rejects.toMatchObject({ code: '23505', constraint: 'events_stream_revision_key' });
    });

    it('answers a ConcurrencyError when the streams table lags behind the events', async () => {
      const stream = newStream();
      await store.appendToStream(stream, [event('First'), event('Second')]);
      await pool.query('UPDATE streams SET revision = 0 WHERE stream_name = $1', [stream]);

      const error = await store
        .appendToStream(stream, [event('Third')], { expectedRevision: 0 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamName: stream, expected: '0', actual: '1' });
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['First', 'Second']);
    });

    it(
      'says the stream is damaged when its last event was deleted by hand, ' +
        'where every append answered "revision 1, expected 0"',
      async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('First'), event('Second')]);
        await pool.query('DELETE FROM events WHERE stream_name = $1 AND stream_revision = 1', [stream]);

        const error = await store
          .appendToStream(stream, [event('Third')], { expectedRevision: 0 })
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(StreamDamagedError);
        expect(error).toMatchObject({ streamName: stream, recordedRevision: '1', lastEventRevision: '0' });
        expect(await verifyStoredStream(store, stream)).toMatchObject({
          ok: false,
          firstBroken: { streamName: stream, revision: 1, reason: 'end-mismatch', expected: '1', found: '0' },
        });
        // A caller that is merely behind still gets the concurrency error.
        const healthy = newStream();
        await store.appendToStream(healthy, [event('First'), event('Second')]);
        await expect(store.appendToStream(healthy, [event('Third')], { expectedRevision: 0 })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        expect(await verifyStoredStream(store, healthy)).toMatchObject({ ok: true });
      },
    );

    it('answers a ConcurrencyError, not damage, when another append commits just after the refusal', async () => {
      const stream = newStream();
      await store.appendToStream(stream, [event('First'), event('Second')]);
      const other = openStore(openPool(2));
      // Between the refused call and the store's look at why, another writer's append commits.
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      const spy = jest.spyOn(pool, 'query').mockImplementation((async (
        config: string | { text: string },
        ...rest: unknown[]
      ) => {
        if (/max\(stream_revision\)/.test(typeof config === 'string' ? config : config.text)) {
          spy.mockRestore();
          await other.appendToStream(stream, [event('Concurrent')]);
        }
        return query(config, ...rest);
      }) as never);

      const error = await store
        .appendToStream(stream, [event('Late')], { expectedRevision: 0 })
        .catch((e: unknown) => e)
        .finally(() => spy.mockRestore());

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamName: stream, expected: '0', actual: '2' });
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['First', 'Second', 'Concurrent']);
    });

    it('refuses an event id that is already stored, appending nothing', async () => {
      const [stream, other] = [newStream(), newStream()];
      const first = event('First');
      await store.appendToStream(stream, [first]);

      const error = await store.appendToStream(other, [event('Fresh'), { ...first }]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(await store.readStream(other)).toEqual([]);
    });

    it(
      'of an append to several streams, refuses only the stream whose event id is stored or whose record is ' +
        'damaged, with its own reason, and appends the others',
      async () => {
        const [stream, duplicate, damaged, healthy] = [newStream(), newStream(), newStream(), newStream()];
        const first = event('First');
        await store.appendToStream(stream, [first]);
        await store.appendToStream(damaged, [event('First'), event('Second')]);
        await pool.query('DELETE FROM events WHERE stream_name = $1 AND stream_revision = 1', [damaged]);

        const outcomes = await store.appendToStreams([
          { streamName: duplicate, events: [event('Fresh'), { ...first }] },
          { streamName: damaged, events: [event('Third')], expectedRevision: 0 },
          { streamName: healthy, events: [event('Fresh')], expectedRevision: 'no_stream' },
        ]);

        expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.constructor.name))).toEqual([
          'DuplicateEventIdError',
          'StreamDamagedError',
          'ok',
        ]);
        expect(await store.readStream(duplicate)).toEqual([]);
        expect((await store.readStream(healthy)).map((e) => e.type)).toEqual(['Fresh']);
      },
    );

    it('refuses an append naming a stream twice before anything is written', async () => {
      const stream = newStream();
      await expect(
        store.appendToStreams([
          { streamName: stream, events: [event('One')] },
          { streamName: stream, events: [event('Two')] },
        ]),
      ).rejects.toThrow('names a stream twice');
      expect(await store.readStream(stream)).toEqual([]);
    });

    it('treats expected revision -1 as no_stream', async () => {
      const stream = newStream();
      expect(
        (await store.appendToStream(stream, [event('First')], { expectedRevision: -1 })).nextExpectedRevision,
      ).toBe(0);
      await expect(store.appendToStream(stream, [event('Again')], { expectedRevision: -1 })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
    });
  });

  describe('subscriptions', () => {
    it('a new store object resumes from the checkpoint the previous one reached', async () => {
      const stream = newStream();
      const after = await marker();
      await store.appendToStream(stream, [event('One'), event('Two'), event('Three')]);
      const firstPool = createPool(database.url, { max: 2 });
      const first = new PostgresEventStore(firstPool);
      let checkpoint = after;
      const seenByFirst: string[] = [];
      const subscription = first.subscribeToAll(
        async (events) => {
          seenByFirst.push(...events.map((e) => e.type));
          checkpoint = events[events.length - 1]!.position;
        },
        { after },
      );
      await waitFor(() => seenByFirst.length === 3);
      await subscription.stop();
      await first.close();
      await firstPool.end();

      await store.appendToStream(stream, [event('Four'), event('Five')]);
      const second = collect(openStore(openPool(2)), checkpoint);
      await store.appendToStream(newStream(), [event('Last')]); // what comes before it comes before it is delivered
      await waitFor(() => second.delivered.some((e) => e.type === 'Last'));

      expect(seenByFirst).toEqual(['One', 'Two', 'Three']);
      expect(second.delivered.map((e) => e.type)).toEqual(['Four', 'Five', 'Last']);
    });

    it('reads each event once for all its subscriptions near the head (issue 22), and delivers every one', async () => {
      const after = await marker();
      const readerPool = openPool(4);
      let rowsRead = 0;
      const query = readerPool.query.bind(readerPool) as (...args: unknown[]) => Promise<{ rows: unknown[] }>;
      readerPool.query = (async (...args: unknown[]) => {
        const result = await query(...args);
        // The events read: a page with none answers one row of nulls (its high-water mark alone), which a busy
        // machine's extra look at the head may add, and which reads no event.
        if ((args[0] as { name?: string })?.name === 'zg_read_visible_events')
          rowsRead += result.rows.filter(
            (row) => (row as { global_position: unknown }).global_position !== null,
          ).length;
        return result;
      }) as unknown as Pool['query'];
      const reader = openStore(readerPool, 60_000); // only an append wakes them
      const subscribers = [collect(reader, after), collect(reader, after), collect(reader, after)];
      const streams = Array.from({ length: 10 }, newStream);
      await reader.appendToStream(streams[0]!, [event('First')]);
      await waitFor(() => subscribers.every((s) => s.delivered.length === 1));
      rowsRead = 0;

      for (const stream of streams) await reader.appendToStream(stream, [event('A'), event('B'), event('C')]);
      await waitFor(() => subscribers.every((s) => s.delivered.length === 31));

      for (const { delivered } of subscribers) {
        expect(delivered.map((e) => e.type)).toEqual(['First', ...streams.flatMap(() => ['A', 'B', 'C'])]);
      }
      // Read for each subscription, it would be 90 rows.
      expect(rowsRead).toBe(30);
    });

    it('leaves out of the data the keys a reader leaves out, and hands the rest over as stored', async () => {
      const after = await marker();
      const stream = newStream();
      const assigned = { taskId: 't-1', title: '危房改造', reminderPolicy: { id: 'default', levels: [] } };
      await store.appendToStream(stream, [
        event('Assigned', assigned),
        event('Reported', { taskId: 't-1', note: 'reminderPolicy is only a word here' }),
        event('Marked', { reminderPolicy: null, other: 1 }),
      ]);
      const reader = openStore(openPool(2));
      const delivered: StoredEvent[] = [];
      subscriptions.push(
        reader.subscribeToAll(async (events) => void delivered.push(...events), {
          after,
          leaveOutKeys: ['reminderPolicy', 'absent'],
        }),
      );
      await waitFor(() => delivered.length === 3);
      expect(delivered.map((e) => e.data)).toEqual([
        { taskId: 't-1', title: '危房改造' },
        { taskId: 't-1', note: 'reminderPolicy is only a word here' },
        { other: 1 },
      ]);
      // Every other reader, and the stream itself, still read the data whole; so does a projection's page.
      expect((await store.readStream(stream)).map((e) => e.data.reminderPolicy)).toEqual([
        assigned.reminderPolicy,
        undefined,
        null,
      ]);
      const page = await reader.liveProjectionSource().readPage({ after, limit: 10, leaveOutKeys: ['title'] });
      expect(page.events.find((e) => e.type === 'Assigned')!.data).toEqual({
        taskId: 't-1',
        reminderPolicy: assigned.reminderPolicy,
      });
    });

    it('is woken by an append from another process (NOTIFY) long before its next poll', async () => {
      const after = await marker();
      const listening = openStore(openPool(2), 60_000);
      const subscriber = collect(listening, after);
      await waitFor(async () => (await listeningConnections()) === 1);

      const otherProcess = openStore(openPool(2));
      const started = Date.now();
      await otherProcess.appendToStream(newStream(), [event('FromElsewhere')]);
      await waitFor(() => subscriber.delivered.length === 1, 5_000);

      expect(Date.now() - started).toBeLessThan(5_000);
      expect(subscriber.delivered[0]!.type).toBe('FromElsewhere');
    });

    it('with lingerMs, takes a burst of appends as one batch; without, each as it comes', async () => {
      const after = await marker();
      const readerPool = openPool(4);
      const reads = readsOn(readerPool);
      const reader = openStore(readerPool, 600_000); // only an append wakes it
      const lingered: string[][] = [];
      subscriptions.push(
        reader.subscribeToAll(async (events) => void lingered.push(events.map((e) => e.type)), {
          after,
          lingerMs: 1000,
        }),
      );
      const prompt = collect(reader, after);
      await waitFor(() => reads.finished >= 2); // both have caught up

      await reader.appendToStream(newStream(), [event('One')]);
      await waitFor(() => prompt.delivered.length === 1);
      expect(lingered).toEqual([]); // still gathering
      for (const type of ['Two', 'Three']) await reader.appendToStream(newStream(), [event(type)]);
      await waitFor(() => lingered.flat().length === 3);

      expect(lingered).toEqual([['One', 'Two', 'Three']]);
    });

    it('keeps delivering, by polling, when its listening connection is killed', async () => {
      const after = await marker();
      const reader = openStore(openPool(2), 100);
      const subscriber = collect(reader, after);
      await waitFor(async () => (await listeningConnections()) === 1);

      await pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1`,
        [`LISTEN ${EVENTS_APPENDED_CHANNEL}`],
      );
      await openStore(openPool(2)).appendToStream(newStream(), [event('AfterKill')]);

      await waitFor(() => subscriber.delivered.length === 1);
      await waitFor(async () => (await listeningConnections()) === 1);
    });

    it(
      'listens again when its listening connection is terminated: appends ' +
        'meanwhile and after wake it, long before its next poll',
      async () => {
        const after = await marker();
        const listening = openStore(openPool(2), 600_000);
        const subscriber = collect(listening, after);
        await waitFor(async () => (await listeningPids()).length === 1);
        const [terminated] = await listeningPids();
        const elsewhere = openStore(openPool(2));

        await pool.query('SELECT pg_terminate_backend($1)', [terminated]);
        await elsewhere.appendToStream(newStream(), [event('WhileNotListening')]);
        await waitFor(() => subscriber.delivered.length === 1);
        await waitFor(async () => (await listeningPids()).some((pid) => pid !== terminated));
        await elsewhere.appendToStream(newStream(), [event('ListeningAgain')]);
        await waitFor(() => subscriber.delivered.length === 2);

        expect(subscriber.delivered.map((e) => e.type)).toEqual(['WhileNotListening', 'ListeningAgain']);
      },
    );

    it(
      'answers StoreUnavailableError while PostgreSQL is out of reach, and ' + 'keeps delivering once it is back',
      async () => {
        const server = new URL(database.url);
        const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
        const through = new URL(database.url);
        through.hostname = '127.0.0.1';
        through.port = String(proxy.port);
        const cutOff = createPool(through.toString(), { max: 2 });
        pools.push(cutOff);
        const reader = openStore(cutOff, 100);
        const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
        try {
          const subscriber = collect(reader, await marker());
          await waitFor(async () => (await listeningConnections()) >= 1);

          await proxy.cut();
          await expect(reader.appendToStream(newStream(), [event('WhileCut')])).rejects.toBeInstanceOf(
            StoreUnavailableError,
          );
          await expect(reader.readStream(newStream())).rejects.toBeInstanceOf(StoreUnavailableError);
          await waitFor(() => warnings.mock.calls.some(([message]) => String(message).includes('cannot read')));
          await store.appendToStream(newStream(), [event('WhileAway')]);
          await proxy.restore();

          await waitFor(() => subscriber.delivered.some((e) => e.type === 'WhileAway'));
        } finally {
          warnings.mockRestore();
          await proxy.close();
        }
      },
    );

    it('stop() releases the listening connection; stop() from inside the handler does not deadlock', async () => {
      const after = await marker();
      const reader = openStore(openPool(2));
      const delivered: string[] = [];
      const subscription: Subscription = reader.subscribeToAll(
        async (events) => {
          delivered.push(...events.map((e) => e.type));
          await subscription.stop();
        },
        { after },
      );
      await waitFor(async () => (await listeningConnections()) === 1);
      await store.appendToStream(newStream(), [event('StopInside')]);

      await subscription.stopped;
      await waitFor(async () => (await listeningConnections()) === 0);
      // A subscription of the same store that hears of the next append: the stopped one would have heard of it too.
      const afterStop = collect(reader, await marker());
      await reader.appendToStream(newStream(), [event('Ignored')]);
      await waitFor(() => afterStop.delivered.length === 1);

      expect(delivered).toEqual(['StopInside']);
      expect(afterStop.delivered.map((e) => e.type)).toEqual(['Ignored']);
    });
  });

  async function listeningPids(): Promise<number[]> {
    const { rows } = await pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() ' +
        `AND application_name LIKE '%:listen' AND query = $1`,
      [`LISTEN ${EVENTS_APPENDED_CHANNEL}`],
    );
    return rows.map((row) => row.pid);
  }

  async function listeningConnections(): Promise<number> {
    const { rows } = await pool.query<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = $1`,
      [`LISTEN ${EVENTS_APPENDED_CHANNEL}`],
    );
    return Number(rows[0]!.count);
  }
});

/** A consumer that polls readAll after its own checkpoint, as a naive projection would. */
function pollReadAll(store: PostgresEventStore, after: GlobalPosition) {
  const seen: StoredEvent[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let checkpoint = after; !stopped;) {
      const page = await store.readAll({ after: checkpoint, maxCount: 50 });
      seen.push(...page);
      if (page.length > 0) checkpoint = page[page.length - 1]!.position;
      else await sleep(5);
    }
  })();
  return {
    seen,
    stop: () => {
      stopped = true;
      return loop;
    },
  };
}

function isStrictlyIncreasing(positions: readonly GlobalPosition[]): boolean {
  return positions.every((position, index) => index === 0 || positions[index - 1]! < position);
}

/** Counts the queries begun and finished on a pool: one per read of a subscription of a store on it alone. */
function readsOn(pool: Pool): { readonly count: number; readonly finished: number } {
  const reads = { count: 0, finished: 0 };
  pool.on('acquire', () => void reads.count++);
  pool.on('release', () => void reads.finished++);
  return reads;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
