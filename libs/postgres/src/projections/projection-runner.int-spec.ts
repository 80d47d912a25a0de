import { CatchUpTurns, type Projection } from '@zhenggai/application';
import { ProjectionRunner, readProjectionStatuses } from '@zhenggai/postgres';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { COUNTS_BY_TOTAL, countingProjection, expectedCounts } from './testing/counting.projection';
import {
  allEvents,
  appendEvents,
  appendManyEvents,
  hasIndex,
  openProjectionTestDatabase,
  readCounts,
  waitFor,
  waitUntilCaughtUp,
  type ProjectionTestDatabase,
} from './testing/projection-test-kit';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import type { Pool } from 'pg';

describe('ProjectionRunner', () => {
  let database: TestDatabase;
  let db: ProjectionTestDatabase;
  const runners: ProjectionRunner[] = [];
  // The runners' pool, and the waits' (`db.pool()` opens one more each time, kept until the file ends).
  let shared: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await closedAfterThisFile(openProjectionTestDatabase(database.url), (d) => d.close());
    shared = db.pool(30);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  function runner(options: Partial<ConstructorParameters<typeof ProjectionRunner>[0]> & { name: string }) {
    const { name, ...rest } = options;
    const created = new ProjectionRunner({
      pool: shared,
      projection: countingProjection({ name }),
      leaseRetryMs: 100,
      ...rest,
    });
    runners.push(created);
    return created;
  }

  const caughtUp = (r: ProjectionRunner | ProjectionRunner[]) => waitUntilCaughtUp(r, shared);

  it('catches up from the start, then applies new events as they come; status shows the lag shrinking', async () => {
    await appendManyEvents(db.store, 3_000);
    const lags: number[] = [];
    const r: ProjectionRunner = runner({
      name: 'catch_up',
      batchSize: 200,
      // The lag as each batch is applied, however fast the batches come.
      projection: countingProjection({ name: 'catch_up', afterWrite: () => void lags.push(r.status().lag) }),
      // Longer than the test may take: only a wake-up can make a new event show.
      pollIntervalMs: 600_000,
    });
    // Readers see the appends once every older transaction on the server has ended (other test files' too).
    await waitFor(async () => (await readProjectionStatuses(db.pool(), ['catch_up']))[0]?.lag === 3_000);
    expect(await readProjectionStatuses(db.pool(), ['catch_up'])).toEqual([
      expect.objectContaining({ name: 'catch_up', generation: null, position: 0n, lag: 3_000, leased: false }),
    ]);

    await r.start();
    await waitFor(async () => {
      lags.push(r.status().lag);
      return r.status().phase === 'live';
    });

    expect(lags.some((lag) => lag > 0)).toBe(true);
    expect(lags).toEqual([...lags].sort((a, b) => b - a));
    const events = await allEvents(db.store);
    expect((await readCounts(db.pool(), 'catch_up')).rows).toEqual(expectedCounts(events));
    const head = events[events.length - 1]!.position;
    expect(r.status()).toMatchObject({ generation: 1, position: head, head, lag: 0, holdsLease: true, leased: true });
    expect(r.status().lastBatchAt).not.toBeNull();
    expect(await readProjectionStatuses(db.pool(), ['catch_up'])).toEqual([
      expect.objectContaining({ generation: 1, position: head, head, lag: 0, leased: true }),
    ]);

    await db.store.appendToStream('late-1', [{ type: 'Counted', data: { amount: 5 }, metadata: {} }]);
    await waitFor(async () =>
      (await readCounts(db.pool(), 'catch_up')).rows.some((row) => row.stream_name === 'late-1'),
    );
  });

  describe('read indexes', () => {
    const indexed = (schema: string, index = COUNTS_BY_TOTAL) => hasIndex(shared, schema, index);

    it('fills a generation far behind without them, and makes them in the batch that catches it up', async () => {
      await appendManyEvents(db.store, 1_000);
      // Whether the index was there (committed) as each batch's rows were written.
      const seen: boolean[] = [];
      const r = runner({
        name: 'indexed',
        batchSize: 200,
        projection: countingProjection({
          name: 'indexed',
          readIndex: true,
          afterWrite: async (_events, schema) => void seen.push(await indexed(schema)),
        }),
      });
      await r.start();
      await caughtUp(r);

      expect(seen.length).toBeGreaterThan(1);
      expect(seen.every((there) => !there)).toBe(true);
      expect(await indexed('proj_indexed_g1')).toBe(true);
      expect((await readCounts(db.pool(), 'indexed')).rows).toEqual(expectedCounts(await allEvents(db.store)));
    });

    it('makes those a generation lacks when it starts again, with nothing new to apply', async () => {
      const projection = countingProjection({ name: 'reindexed', readIndex: true });
      const first = runner({ name: 'reindexed', projection });
      await first.start();
      await caughtUp(first);
      await first.stop();
      // As a generation built before the index was one of its read indexes.
      await shared.query(`DROP INDEX "proj_reindexed_g1"."${COUNTS_BY_TOTAL}"`);
      const position = first.status().position;

      const again = runner({ name: 'reindexed', projection });
      await again.start();
      await waitFor(() => indexed('proj_reindexed_g1'));
      expect(again.status()).toMatchObject({ position, lastError: null });
    });

    it('never counts a generation caught up without them: one not made holds the last batch back', async () => {
      const errors: unknown[] = [];
      const broken: Projection = {
        ...countingProjection({ name: 'unindexable' }),
        readIndexes: (schema) => [{ name: 'no_such', on: `ON "${schema}".counts (no_such_column)` }],
      };
      const r = runner({ name: 'unindexable', projection: broken, batchSize: 200, onError: (e) => errors.push(e) });
      await r.start();
      await waitFor(() => errors.length > 0);
      await r.stop();

      expect(String(errors[0])).toMatch(/no_such_column/);
      const [stored] = await readProjectionStatuses(db.pool(), ['unindexable']);
      // The full pages before it are committed; the short one that would have caught it up is not.
      expect(stored!.position).toBeGreaterThan(0n);
      expect(stored!.lag).toBeGreaterThan(0);
      expect(await indexed('proj_unindexable_g1', 'no_such')).toBe(false);
    });
  });

  it('moves its checkpoint past events it does not take', async () => {
    const r = runner({ name: 'skips' });
    await r.start();
    await caughtUp(r);
    await db.store.appendToStream('other-1', [{ type: 'Other', data: { amount: 1 }, metadata: {} }]);
    const { position } = await db.store.appendToStream('other-2', [{ type: 'Other', data: {}, metadata: {} }]);

    await waitFor(() => r.status().position === position);
    expect(r.status().lag).toBe(0);
    const [stored] = await readProjectionStatuses(db.pool(), ['skips']);
    expect(stored).toMatchObject({ position, lag: 0 });
  });

  it('lets the appends that follow a batch gather, and applies them together in the next batch', async () => {
    const batches: string[][] = [];
    const r = runner({
      name: 'gathers',
      gatherMsPerEvent: 1_000,
      maxGatherMs: 1_500,
      pollIntervalMs: 30_000,
      projection: countingProjection({
        name: 'gathers',
        afterWrite: (events) => void batches.push(events.map((e) => e.streamName)),
      }),
    });
    await r.start();
    await caughtUp(r);
    batches.length = 0;

    await db.store.appendToStream('first', [{ type: 'Counted', data: { amount: 1 }, metadata: {} }]);
    await waitFor(async () => batches.length === 1);
    for (const stream of ['second', 'third', 'fourth']) {
      await db.store.appendToStream(stream, [{ type: 'Counted', data: { amount: 1 }, metadata: {} }]);
    }
    await waitFor(async () => batches.length === 2);

    expect(batches).toEqual([['first'], ['second', 'third', 'fourth']]);
    expect((await readCounts(db.pool(), 'gathers')).rows).toEqual(expectedCounts(await allEvents(db.store)));
  });

  it('stops at once while appends gather', async () => {
    await db.store.appendToStream('rests-1', [{ type: 'Counted', data: { amount: 1 }, metadata: {} }]);
    const r = runner({ name: 'rests', gatherMsPerEvent: 120_000, maxGatherMs: 120_000 });
    await r.start();
    // The batch that caught up moved the checkpoint, so appends may now gather for two minutes, longer than the
    // test's own timeout: the test fails if stop() waits for the end of it.
    await caughtUp(r);

    await r.stop();
    expect(r.status().phase).toBe('stopped');
  });

  it.each([
    ['applied in turn', false],
    // Far behind, the runner works the next batch out while this one is written (`catchUpInPipeline`): what it worked
    // out ahead of the failed batch, with what that one carried, goes with it.
    ['each worked out while the one before is written', true],
  ])(
    'rolls back a batch whose apply fails after writing rows, and retries it: nothing lost, nothing counted twice ' +
      '(batches %s)',
    async (_, ahead) => {
      const name = ahead ? 'fails_ahead' : 'fails_once';
      await appendEvents(db.store, 400, { prefix: name, otherEvery: 5 });
      let batches = 0;
      const carried: boolean[] = [];
      const errors: unknown[] = [];
      const r = runner({
        name,
        batchSize: 50,
        projection: countingProjection({
          name,
          prepares: ahead ? (withCarry) => carried.push(withCarry) : undefined,
          afterWrite: () => {
            if (++batches === 3) throw new Error('boom after writing');
          },
        }),
        onError: (error) => errors.push(error),
      });

      await r.start();
      await caughtUp(r);

      expect(errors).toEqual([expect.objectContaining({ message: 'boom after writing' })]);
      // Worked out ahead, each batch's totals are written as they were worked out: had the failed batch's carry been
      // handed on, it would count twice.
      expect((await readCounts(db.pool(), name)).rows).toEqual(expectedCounts(await allEvents(db.store)));
      expect(r.status().lastError).toBeNull();
      if (ahead) {
        // With what the batch before carried, and afresh at the start and after the failure.
        expect(carried.filter(Boolean).length).toBeGreaterThanOrEqual(4);
        expect(carried.filter((c) => !c).length).toBeGreaterThanOrEqual(2);
      }
    },
  );

  it(
    'lets one of two runners apply; when the holder stops, the other takes ' +
      'over and continues, no batch applied twice',
    async () => {
      const applied = new Map<string, bigint[]>([
        ['a', []],
        ['b', []],
      ]);
      const projectionOf = (id: string) =>
        countingProjection({
          name: 'shared',
          afterWrite: (events) => void applied.get(id)!.push(...events.map((e) => e.position)),
        });
      const a = runner({ name: 'shared', batchSize: 20, projection: projectionOf('a') });
      const b = runner({ name: 'shared', batchSize: 20, projection: projectionOf('b') });
      await Promise.all([a.start(), b.start()]);
      await waitFor(() => a.status().holdsLease || b.status().holdsLease);
      const [holder, standby] = a.status().holdsLease ? [a, b] : [b, a];

      await appendEvents(db.store, 200, { prefix: 'shared' });
      await caughtUp(holder);
      expect(standby.status()).toMatchObject({ holdsLease: false, phase: 'standby', leased: true });

      // The holder stops once it has applied some of the next events; the standby gets the rest and more.
      const fromHolderSoFar = applied.get(holder === a ? 'a' : 'b')!.length;
      const appending = appendEvents(db.store, 150, { prefix: 'shared' });
      await waitFor(() => applied.get(holder === a ? 'a' : 'b')!.length > fromHolderSoFar);
      await holder.stop();
      await appending;
      await appendEvents(db.store, 150, { prefix: 'shared' });
      await caughtUp(standby);

      expect(holder.status()).toMatchObject({ phase: 'stopped', holdsLease: false });
      expect(standby.status().holdsLease).toBe(true);
      const fromHolder = applied.get(holder === a ? 'a' : 'b')!;
      const fromStandby = applied.get(standby === a ? 'a' : 'b')!;
      expect(fromHolder.length).toBeGreaterThan(0);
      expect(fromStandby.length).toBeGreaterThan(0);
      const all = [...fromHolder, ...fromStandby];
      const events = await allEvents(db.store);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort(compare)).toEqual(events.filter((e) => e.type === 'Counted').map((e) => e.position));
      expect((await readCounts(db.pool(), 'shared')).rows).toEqual(expectedCounts(events));
    },
  );

  it("shares the projections between two workers: each takes its own, and the other's once that stops", async () => {
    // Each worker runs a runner for both projections; the one it does not prefer waits before its first try.
    const worker = (prefers: string) =>
      ['left_side', 'right_side'].map((name) =>
        runner({ name, batchSize: 50, deferLeaseMs: name === prefers ? 0 : 5_000 }),
      );
    const two = worker('right_side');
    await Promise.all(two.map((r) => r.start()));
    const one = worker('left_side');
    await Promise.all(one.map((r) => r.start()));
    await appendEvents(db.store, 100, { prefix: 'sides' });

    await waitFor(() => one[0]!.status().holdsLease && two[1]!.status().holdsLease);
    await caughtUp(one[0]!);
    await caughtUp(two[1]!);
    expect([one[1]!.status().holdsLease, two[0]!.status().holdsLease]).toEqual([false, false]);

    // Worker one stops (or dies): worker two takes its projection over and goes on from its checkpoint.
    await Promise.all(one.map((r) => r.stop()));
    await appendEvents(db.store, 100, { prefix: 'sides' });
    await waitFor(() => two[0]!.status().holdsLease);
    for (const r of two) await caughtUp(r);
    const events = await allEvents(db.store);
    for (const name of ['left_side', 'right_side'])
      expect((await readCounts(db.pool(), name)).rows).toEqual(expectedCounts(events));
  });

  it(
    'a runner whose lease connection is terminated mid-batch commits ' +
      'nothing: the new holder applies that batch, once',
    async () => {
      const applied: Array<{ runner: string; positions: bigint[] }> = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let hang = true;
      const errors: unknown[] = [];
      const a = runner({
        name: 'fenced',
        batchSize: 100,
        projection: countingProjection({
          name: 'fenced',
          afterWrite: async (events) => {
            applied.push({ runner: 'a', positions: events.map((e) => e.position) });
            if (hang) await gate;
          },
        }),
        onError: (error) => errors.push(error),
      });
      await a.start();
      await waitFor(() => applied.length === 1);

      // The lease's session dies (a network cut, as the server sees it) while `a` is inside its batch.
      const admin = db.pool();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE '%:projection:fenced'`,
      );
      const b = runner({
        name: 'fenced',
        batchSize: 100,
        projection: countingProjection({
          name: 'fenced',
          afterWrite: (events) => void applied.push({ runner: 'b', positions: events.map((e) => e.position) }),
        }),
        onError: (error) => errors.push(error),
      });
      await b.start();
      await waitFor(() => b.status().holdsLease);
      // b reads the same batch and waits on the checkpoint row that a's transaction holds.
      await waitFor(
        async () =>
          (
            await admin.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rowCount! > 0,
      );
      hang = false;
      release();
      // Both start over from the stored checkpoint; either may win the lease.
      await appendEvents(db.store, 10, { prefix: 'fenced' });
      await caughtUp([a, b]);

      expect(errors).toContainEqual(expect.objectContaining({ name: 'ProjectionLeaseLostError' }));
      // `a`'s batch rolled back (the server no longer counted the lease as its own), so `b`, which waited on the
      // checkpoint row, found it unmoved and applied the same events: the batch committed once, by the holder.
      expect(errors).not.toContainEqual(expect.objectContaining({ name: 'ProjectionFencedError' }));
      const stuck = applied[0]!.positions;
      const byB = applied.filter((batch) => batch.runner === 'b').flatMap((batch) => batch.positions);
      expect(byB).toEqual(expect.arrayContaining(stuck));
      expect((await readCounts(db.pool(), 'fenced')).rows).toEqual(expectedCounts(await allEvents(db.store)));
    },
  );

  it(
    'fences a batch when another writer moved the checkpoint: it applies ' +
      'nothing and starts over from the stored checkpoint',
    async () => {
      const errors: unknown[] = [];
      const r = runner({ name: 'moved', pollIntervalMs: 60_000, onError: (error) => errors.push(error) });
      await appendEvents(db.store, 20, { prefix: 'moved' });
      await r.start();
      await caughtUp(r);

      // Another writer of the generation (as after a lost lease) started it over: its rows gone, its checkpoint at 0.
      const admin = db.pool();
      await admin.query('TRUNCATE proj_moved_g1.counts');
      await admin.query(`UPDATE projection_checkpoints SET position = 0 WHERE name = 'moved'`);
      await appendEvents(db.store, 5, { prefix: 'moved' });
      await caughtUp(r);

      expect(errors).toEqual([expect.objectContaining({ name: 'ProjectionFencedError' })]);
      expect((await readCounts(admin, 'moved')).rows).toEqual(expectedCounts(await allEvents(db.store)));
    },
  );

  it(
    'catches up in turn with the other runners of its process: the more wanted one, started later, applies every ' +
      'batch it is behind before the other applies another',
    async () => {
      await appendManyEvents(db.store, 3_000);
      const turns = new CatchUpTurns(['wanted', 'later']);
      // The full batches each applied (a short one is live, not catching up), 'later' taking its time over each.
      const log: string[] = [];
      const logging = (name: string) =>
        countingProjection({
          name,
          afterWrite: async (events) => {
            if (events.length === 200) log.push(name);
            if (name === 'later') await new Promise((resolve) => setTimeout(resolve, 50));
          },
        });
      const later = runner({ name: 'later', batchSize: 200, projection: logging('later'), catchUpTurns: turns });
      const wanted = runner({ name: 'wanted', batchSize: 200, projection: logging('wanted'), catchUpTurns: turns });
      await later.start();
      await waitFor(() => log.length >= 2);
      await wanted.start();
      await caughtUp(wanted);
      await caughtUp(later);

      const first = log.indexOf('wanted');
      const last = log.lastIndexOf('wanted');
      expect(first).toBeGreaterThan(0);
      expect(log.slice(first, last + 1).every((name) => name === 'wanted')).toBe(true);
      expect(log.slice(last + 1)).toContain('later');
      const events = await allEvents(db.store);
      expect((await readCounts(db.pool(), 'wanted')).rows).toEqual(expectedCounts(events));
      expect((await readCounts(db.pool(), 'later')).rows).toEqual(expectedCounts(events));
      expect(turns.status()).toEqual({ catchingUp: [], waiting: [] });
    },
  );

  it('claims the turn as it starts far behind: one started just after it waits, even a more wanted one', async () => {
    await appendManyEvents(db.store, 1_000);
    const turns = new CatchUpTurns(['more_wanted', 'claims']);
    const claims = runner({ name: 'claims', batchSize: 100, catchUpTurns: turns });
    await claims.start();
    expect(turns.status()).toEqual({ catchingUp: ['claims'], waiting: [] });
    const other = runner({ name: 'more_wanted', batchSize: 100, catchUpTurns: turns });
    await other.start();
    expect(turns.status().catchingUp).toEqual(['claims']);

    // It gives the turn up after a batch to the more wanted one (which asks for it), and both catch up.
    await caughtUp(claims);
    await caughtUp(other);
    expect(turns.status()).toEqual({ catchingUp: [], waiting: [] });
  });

  it('claims no turn while it waits to try another worker’s projection: this worker’s own go first', async () => {
    await appendManyEvents(db.store, 1_000);
    const turns = new CatchUpTurns(['deferred', 'preferred']);
    // Found by the benchmark of two workers: the other worker's projection, started first, held the turn through its
    // wait (30 s by default), and this worker's own projections waited with it.
    const deferred = runner({ name: 'deferred', batchSize: 100, catchUpTurns: turns, deferLeaseMs: 600_000 });
    await deferred.start();
    expect(turns.status()).toEqual({ catchingUp: [], waiting: [] });
    const preferred = runner({ name: 'preferred', batchSize: 100, catchUpTurns: turns });
    await preferred.start();
    await caughtUp(preferred);
    expect(deferred.status()).toMatchObject({ holdsLease: false, phase: 'standby' });
    await deferred.stop();
  });

  it('gives up the turn it claimed when another process holds its lease', async () => {
    const turns = new CatchUpTurns(['leased_elsewhere']);
    const holder = runner({ name: 'leased_elsewhere', batchSize: 100 });
    await holder.start();
    await caughtUp(holder);
    await holder.stop();
    await appendManyEvents(db.store, 300);
    const elsewhere = runner({ name: 'leased_elsewhere', batchSize: 100 });
    await elsewhere.start();
    await waitFor(() => elsewhere.status().holdsLease);

    const standby = runner({ name: 'leased_elsewhere', batchSize: 100, catchUpTurns: turns });
    await standby.start();
    await waitFor(() => standby.status().phase === 'standby' && turns.status().catchingUp.length === 0);
    expect(standby.status().holdsLease).toBe(false);
  });

  it('stops while waiting for its turn, leaving the turn to the others', async () => {
    await appendManyEvents(db.store, 500);
    const turns = new CatchUpTurns(['holder']);
    await turns.take('holder');
    const waiting = runner({ name: 'waits_turn', batchSize: 100, catchUpTurns: turns });
    await waiting.start();
    await waitFor(() => turns.status().waiting.includes('waits_turn'));
    expect((await readCounts(db.pool(), 'waits_turn')).rows).toEqual([]);

    await waiting.stop();
    expect(turns.status()).toEqual({ catchingUp: ['holder'], waiting: [] });
    expect(waiting.status().lastError).toBeNull();
  });
});

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
