import { randomUUID } from 'node:crypto';
import {
  chainHash,
  contentDigest,
  verifyEventStore,
  verifyStoredStream,
  verifyStream,
  type StoredEvent,
} from '@zhenggai/application';
import { createPool, eventStoreMigrations, migrate, PostgresEventStore } from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';

/**
 * Someone with write access to the database edits history behind the application's back: verification,
 * which recomputes every hash in Node from what the store gives back, names the stream and revision.
 */
describe('tamper evidence on PostgreSQL', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  const stores: PostgresEventStore[] = [];

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((pool) => pool.end()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  /** A database of its own per test: the store-wide walk must find exactly what the test did. */
  async function freshStore() {
    const database = await createTestDatabase();
    databases.push(database);
    const pool = createPool(database.url, { max: 4 });
    pools.push(pool);
    await migrate(pool, eventStoreMigrations);
    const store = new PostgresEventStore(pool);
    stores.push(store);
    return { pool, store };
  }

  const progress = (quantityDone: number, note = '已拆除旱厕') => ({
    type: 'RectificationTaskProgressReported',
    data: { quantityDone, note, evidence: [{ ref: `photos/${quantityDone}.jpg` }] },
    metadata: { actor: { username: 'caiying', role: 'unit' }, occurredAt: '2018-08-01T10:00:00+08:00' },
  });

  /** Three task streams of four events each, appended interleaved. */
  async function storeWithHistory() {
    const { pool, store } = await freshStore();
    const streams = [1, 2, 3].map(() => `rectificationTask-${randomUUID()}`);
    for (let round = 0; round < 2; round++) {
      for (const stream of streams) await store.appendToStream(stream, [progress(round * 2), progress(round * 2 + 1)]);
    }
    return { pool, store, streams };
  }

  const eventAt = async (store: PostgresEventStore, stream: string, revision: number): Promise<StoredEvent> =>
    (await store.readStream(stream, { fromRevision: revision, maxCount: 1 }))[0]!;

  it('finds untouched history intact, stream by stream and as a whole', async () => {
    const { store, streams } = await storeWithHistory();

    expect(await verifyEventStore(store, 5)).toEqual({ ok: true, streams: 3, events: 12 });
    for (const stream of streams)
      expect(verifyStream(await store.readStream(stream))).toEqual({ ok: true, streams: 1, events: 4 });
  });

  it('an event id sent in capitals, in braces or without hyphens is digested as PostgreSQL gives it back', async () => {
    const { store } = await freshStore();
    const stream = `rectificationTask-${randomUUID()}`;
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const sent = [ids[0]!, ids[1]!.toUpperCase(), `{${ids[2]!}}`, ids[3]!.replace(/-/g, '')];
    await store.appendToStream(
      stream,
      sent.map((id, i) => ({ ...progress(i), id })),
    );

    const events = await store.readStream(stream);
    expect(events.map((event) => event.id)).toEqual(ids);
    expect(verifyStream(events)).toEqual({ ok: true, streams: 1, events: 4 });
  });

  it('an UPDATE of one event’s data is named by stream, revision and position', async () => {
    const { pool, store, streams } = await storeWithHistory();
    const target = await eventAt(store, streams[1]!, 2);

    await pool.query(
      `UPDATE events SET data = jsonb_set(data, '{quantityDone}', '200') ` +
        'WHERE stream_name = $1 AND stream_revision = 2',
      [streams[1]],
    );

    const expected = {
      streamName: streams[1],
      revision: 2,
      position: target.position,
      reason: 'hash-mismatch',
      found: target.hash,
    };
    expect(verifyStream(await store.readStream(streams[1]!))).toMatchObject({ ok: false, firstBroken: expected });
    expect(await verifyStoredStream(store, streams[1]!)).toMatchObject({ ok: false, firstBroken: expected });
    expect(await verifyEventStore(store, 5)).toMatchObject({ ok: false, firstBroken: expected });
    expect((await verifyStoredStream(store, streams[0]!)).ok).toBe(true);
  });

  it(
    'the store-wide walk sees a tampered event even while a long ' + 'transaction elsewhere holds subscriptions back',
    async () => {
      const { pool, store } = await freshStore();
      const other = await pool.connect();
      try {
        // A transaction that has taken an id and stays open (a long report, a stuck batch): readAll would stop before
        // it.
        await other.query('BEGIN');
        await other.query('SELECT pg_current_xact_id()');
        const stream = `rectificationTask-${randomUUID()}`;
        await store.appendToStream(stream, [progress(1), progress(2)]);
        expect(await store.readAll()).toEqual([]);
        await pool.query(
          `UPDATE events SET data = jsonb_set(data, '{quantityDone}', '99') ` +
            'WHERE stream_name = $1 AND stream_revision = 1',
          [stream],
        );

        expect(await verifyEventStore(store)).toMatchObject({
          ok: false,
          firstBroken: { streamName: stream, revision: 1, reason: 'hash-mismatch' },
        });
      } finally {
        await other.query('ROLLBACK');
        other.release();
      }
    },
  );

  it('an edit of the actor or the business time in the metadata is caught too', async () => {
    const { pool, store, streams } = await storeWithHistory();

    await pool.query(
      `UPDATE events SET metadata = jsonb_set(metadata, '{actor,username}', ` +
        `'"inspector"') WHERE stream_name = $1 AND stream_revision = 0`,
      [streams[2]],
    );
    await pool.query(
      `UPDATE events SET metadata = metadata || '{"occurredAt": ` +
        `"2018-07-01T10:00:00+08:00"}' WHERE stream_name = $1 AND ` +
        'stream_revision = 3',
      [streams[0]],
    );

    expect(await verifyStoredStream(store, streams[2]!)).toMatchObject({
      ok: false,
      firstBroken: { revision: 0, reason: 'hash-mismatch' },
    });
    expect(await verifyEventStore(store)).toMatchObject({
      ok: false,
      firstBroken: { streamName: streams[2], revision: 0 },
    });
    expect(await verifyStoredStream(store, streams[0]!)).toMatchObject({ ok: false, firstBroken: { revision: 3 } });
  });

  it(
    'an edit whose hash was recomputed by the forger shows at the next ' + 'event, whose link no longer holds',
    async () => {
      const { pool, store, streams } = await storeWithHistory();
      const target = await eventAt(store, streams[0]!, 1);
      const forgedData = { ...target.data, quantityDone: 100 };
      const forgedHash = chainHash(
        target.previousHash,
        1,
        contentDigest({ ...target, eventId: target.id, data: forgedData }),
      );

      await pool.query(`UPDATE events SET data = $2, hash = $3 WHERE stream_name = $1 AND stream_revision = 1`, [
        streams[0],
        forgedData,
        forgedHash,
      ]);

      expect(await verifyStoredStream(store, streams[0]!)).toMatchObject({
        ok: false,
        firstBroken: { revision: 2, reason: 'broken-link', expected: forgedHash, found: target.hash },
      });
    },
  );

  it('a deleted event is named as the revision that is missing', async () => {
    const { pool, store, streams } = await storeWithHistory();
    const after = await eventAt(store, streams[1]!, 2);

    await pool.query('DELETE FROM events WHERE stream_name = $1 AND stream_revision = 1', [streams[1]]);

    const expected = {
      streamName: streams[1],
      revision: 1,
      position: after.position,
      reason: 'revision-gap',
      expected: '1',
      found: '2',
    };
    expect(await verifyStoredStream(store, streams[1]!)).toMatchObject({ ok: false, firstBroken: expected });
    expect(await verifyEventStore(store)).toMatchObject({ ok: false, firstBroken: expected });
  });

  it('a deleted last event is refused as a base by the next append, which names it', async () => {
    const { pool, store, streams } = await storeWithHistory();

    await pool.query('DELETE FROM events WHERE stream_name = $1 AND stream_revision = 3', [streams[2]]);

    await expect(store.appendToStream(streams[2]!, [progress(9)])).rejects.toMatchObject({
      code: 'XX001',
      message: expect.stringContaining(`revision 4 of ${streams[2]}`),
    });
    expect(await store.readStream(streams[2]!)).toHaveLength(3);
  });

  it('swapping the data of two events is caught at the first of them', async () => {
    const { pool, store, streams } = await storeWithHistory();

    await pool.query(
      `UPDATE events e SET data = o.data FROM events o
       WHERE e.stream_name = $1 AND o.stream_name = $1 AND e.stream_revision IN (1, 2) AND o.stream_revision = 3 -
         e.stream_revision`,
      [streams[2]],
    );

    expect((await store.readStream(streams[2]!)).map((e) => e.data.quantityDone)).toEqual([0, 2, 1, 3]);
    expect(await verifyEventStore(store)).toMatchObject({
      ok: false,
      firstBroken: { streamName: streams[2], revision: 1, reason: 'hash-mismatch' },
    });
  });

  it('an event inserted by hand, without the append function, has no hash and is named', async () => {
    const { pool, store, streams } = await storeWithHistory();

    await pool.query(
      'INSERT INTO events (stream_name, stream_revision, event_id, type, ' +
        `data) VALUES ($1, 4, $2, 'RectificationTaskVerified', '{}')`,
      [streams[0], randomUUID()],
    );

    expect(await verifyStoredStream(store, streams[0]!)).toMatchObject({
      ok: false,
      firstBroken: { revision: 4, reason: 'broken-link', found: null },
    });
  });

  describe('canonical form', () => {
    /** Values whose canonical text is easy to get wrong: jsonb gives numbers and keys back in its own way. */
    const awkward = {
      numbers: [
        0,
        1,
        -1.5,
        0.1,
        20.32,
        217,
        696,
        1e21,
        1e-7,
        1e-6,
        123456789012345680000,
        5e-324,
        -1.7976931348623157e308,
        2 ** 53 + 2,
      ],
      text: '蔡郢村 “四个一” ✅😀 "quoted" \\ back\nline\ttab \u0001 \u007f \u2028',
      keys: { '😀': 1, '！': 2, 村: 3, a: 4, A: 5, '': 6, ab: 7, 'a b': 8 },
      empty: { list: [], object: {}, nothing: null, no: false, yes: true },
      deep: [[[[{ z: [1, { y: '危房' }] }]]]],
    };

    it('awkward and many random values, stored as jsonb and read back, verify as Node chained them', async () => {
      const { store } = await freshStore();
      const random = seeded(20180930);
      const stream = `randomTask-${randomUUID()}`;
      const values = [
        awkward,
        null,
        'just a string',
        3.25,
        [],
        ...Array.from({ length: 300 }, () => randomJson(random, 4)),
      ];
      await store.appendToStream(
        stream,
        values.map((data, i) => ({ type: `Random${i}`, data, metadata: { i } })),
      );

      const events = await store.readStream(stream);
      expect(events[0]!.data).toEqual(awkward);
      const firstMismatch = events.find(
        (e) => e.hash !== chainHash(e.previousHash, e.revision, contentDigest({ ...e, eventId: e.id })),
      );
      expect(firstMismatch?.data).toBeUndefined();
      expect(verifyStream(events)).toEqual({ ok: true, streams: 1, events: 305 });
    });

    it('an append that sends no content digest is refused, and the stream is left as it was', async () => {
      const { pool, store } = await freshStore();
      const stream = `rectificationTask-${randomUUID()}`;
      await store.appendToStream(stream, [progress(1)]);

      await expect(
        pool.query('SELECT * FROM append_to_stream($1, $2, $3)', [
          stream,
          '0',
          JSON.stringify([
            { id: randomUUID(), type: 'Unchained', data: awkward, metadata: { actor: { username: '督查员' } } },
          ]),
        ]),
      ).rejects.toMatchObject({ code: '22023' });
      await store.appendToStream(stream, [progress(2)], { expectedRevision: 0 });

      expect(verifyStream(await store.readStream(stream))).toEqual({ ok: true, streams: 1, events: 2 });
    });
  });
});

/** Park and Miller's minimal standard generator: deterministic, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed % 2_147_483_647;
  return () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/**
 * Characters from ASCII, control characters, CJK, the top of the BMP and the astral planes (no NUL: PostgreSQL refuses
 * it).
 */
function randomText(random: () => number): string {
  const ranges: Array<[number, number]> = [
    [0x20, 0x7e],
    [0x01, 0x1f],
    [0x4e00, 0x9fff],
    [0xe000, 0xffef],
    [0x1f300, 0x1faff],
    [0x80, 0x7ff],
  ];
  let text = '';
  for (let n = Math.floor(random() * 6); n > 0; n--) {
    const [low, high] = ranges[Math.floor(random() * ranges.length)]!;
    text += String.fromCodePoint(low + Math.floor(random() * (high - low + 1)));
  }
  return text;
}

function randomNumber(random: () => number): number {
  switch (Math.floor(random() * 5)) {
    case 0:
      return Math.floor(random() * 2_000_000) - 1_000_000;
    case 1:
      return Math.round(random() * 1e6) / 100;
    case 2:
      return (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
    case 3:
      return (random() < 0.5 ? -1 : 1) * random() * 10 ** Math.floor(random() * 600 - 300);
    default:
      return random() * 2 ** 60;
  }
}

function randomJson(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 0 ? 7 : 5));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
    case 3:
      return randomNumber(random);
    case 4:
      return randomText(random);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [randomText(random), randomJson(random, depth - 1)]),
      );
  }
}
