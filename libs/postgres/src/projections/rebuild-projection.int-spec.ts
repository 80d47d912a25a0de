import type { Projection } from '@zhenggai/application';
import {
  ProjectionRebuildInProgressError,
  ProjectionRunner,
  readProjectionStatuses,
  rebuildProjection,
} from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { createGeneration } from './projection-generations';
import { inTransaction } from './transaction';
import { postgresProjectionSource } from '../event-store/visible-events.query';
import { COUNTS_BY_TOTAL, countingProjection, expectedCounts } from './testing/counting.projection';
import {
  allEvents,
  appendEvents,
  appendManyEvents,
  hasIndex,
  openProjectionTestDatabase,
  readCounts,
  sleep,
  waitFor,
  waitUntilCaughtUp,
  type ProjectionTestDatabase,
} from './testing/projection-test-kit';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';

describe('rebuildProjection', () => {
  let database: TestDatabase;
  let db: ProjectionTestDatabase;
  let pool: Pool;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await closedAfterThisFile(openProjectionTestDatabase(database.url), (d) => d.close());
    pool = db.pool(10);
    await appendManyEvents(db.store, 2_000);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  async function startRunner(projection: Projection): Promise<ProjectionRunner> {
    const runner = new ProjectionRunner({ pool: db.pool(), projection, batchSize: 100, leaseRetryMs: 100 });
    runners.push(runner);
    await runner.start();
    await waitUntilCaughtUp(runner, pool);
    return runner;
  }

  const schemas = async (name: string) =>
    (
      await pool.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY nspname`, [
        `proj\\_${name}\\_g%`,
      ])
    ).rows.map((row) => row.nspname);

  const checkpointRows = async (name: string) =>
    (await pool.query('SELECT generation FROM projection_checkpoints WHERE name = $1 ORDER BY generation', [name]))
      .rows;

  it(
    'swaps in a generation with the same rows as the incremental run, ' + 'while readers and a live runner carry on',
    async () => {
      const live = await startRunner(countingProjection({ name: 'swapped' }));
      const incremental = await readCounts(pool, 'swapped');
      expect(incremental.servedBy).toEqual(['proj_swapped_g1']);

      // Events keep coming during the rebuild and after it.
      let appending = true;
      const appender = (async () => {
        for (let i = 0; appending; i++) {
          await db.store.appendToStream(`during-${i % 5}`, [
            { type: 'Counted', data: { amount: i + 1 }, metadata: {} },
          ]);
          await sleep(5);
        }
      })();

      const seenDuringRebuild: Array<{ servedBy: string[]; served: number; inNewGeneration: number }> = [];
      const progress: Array<[number, number]> = [];
      const result = await rebuildProjection({
        pool,
        batchSize: 100,
        projection: countingProjection({
          name: 'swapped',
          afterWrite: async (_events, schema) => {
            // A reader, mid-rebuild: the views still serve generation 1, not the half-built generation 2.
            const served = await readCounts(db.pool(), 'swapped');
            const { rows } = await db.pool().query(`SELECT coalesce(sum(events), 0)::int AS n FROM "${schema}".counts`);
            seenDuringRebuild.push({
              servedBy: served.servedBy,
              served: served.rows.reduce((sum, row) => sum + row.events, 0),
              inNewGeneration: rows[0].n,
            });
          },
        }),
        onProgress: (done, total) => progress.push([done, total]),
      });

      expect(result).toMatchObject({ name: 'swapped', generation: 2, previousGeneration: 1 });
      expect(seenDuringRebuild.length).toBeGreaterThan(5);
      expect(seenDuringRebuild.every((seen) => seen.servedBy[0] === 'proj_swapped_g1')).toBe(true);
      expect(seenDuringRebuild.slice(0, 5).every((seen) => seen.inNewGeneration < seen.served)).toBe(true);
      expect(progress[0]![0]).toBe(0);
      expect(progress[progress.length - 1]![0]).toBe(progress[progress.length - 1]![1]);
      expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
      expect(result.events).toBe(progress[progress.length - 1]![0]);

      // After the swap: the new generation serves; the live runner moved to it and applies what comes next.
      await waitFor(() => live.status().generation === 2 && live.status().position > result.position);
      appending = false;
      await appender;
      await waitUntilCaughtUp(live, pool);
      expect(live.status().generation).toBe(2);
      const after = await readCounts(pool, 'swapped');
      expect(after.servedBy).toEqual(['proj_swapped_g2']);
      expect(after.rows).toEqual(expectedCounts(await allEvents(db.store)));
      expect(live.status().position).toBeGreaterThan(result.position);
      expect(await schemas('swapped')).toEqual(['proj_swapped_g2']);
      expect(await checkpointRows('swapped')).toEqual([{ generation: 2 }]);
      expect(await readProjectionStatuses(pool, ['swapped'])).toEqual([
        expect.objectContaining({ generation: 2, lag: 0, leased: true }),
      ]);
    },
  );

  it('waits for a live batch in flight before it swaps; the runner then moves to the new generation', async () => {
    let hang = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let hanging!: () => void;
    const inBatch = new Promise<void>((resolve) => (hanging = resolve));
    const live = await startRunner(
      countingProjection({
        name: 'held',
        afterWrite: async () => {
          if (!hang) return;
          hanging();
          await gate;
        },
      }),
    );
    hang = true;
    await appendEvents(db.store, 3, { prefix: 'held' });
    await inBatch;

    let rebuilt = false;
    const rebuild = rebuildProjection({ pool, projection: countingProjection({ name: 'held' }) }).then((result) => {
      rebuilt = true;
      return result;
    });
    // The rebuild waits for the batch's lock on the active generation: by then it would have swapped if it did not.
    await waitFor(
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rowCount! > 0,
    );
    expect(rebuilt).toBe(false);
    expect((await readCounts(pool, 'held')).servedBy).toEqual(['proj_held_g1']);

    hang = false;
    release();
    await expect(rebuild).resolves.toMatchObject({ generation: 2 });
    await appendEvents(db.store, 3, { prefix: 'held' });
    await waitUntilCaughtUp(live, pool);
    expect(live.status().generation).toBe(2);
    expect((await readCounts(pool, 'held')).rows).toEqual(expectedCounts(await allEvents(db.store)));
  });

  it(
    'rebuilds with no runner running, a projection never started too, and ' + 'a runner then continues from it',
    async () => {
      const result = await rebuildProjection({ pool, projection: countingProjection({ name: 'cold' }) });

      expect(result).toMatchObject({ generation: 2, previousGeneration: 1 });
      expect((await readCounts(pool, 'cold')).rows).toEqual(expectedCounts(await allEvents(db.store)));
      expect(await schemas('cold')).toEqual(['proj_cold_g2']);

      await appendEvents(db.store, 20, { prefix: 'cold' });
      const runner = await startRunner(countingProjection({ name: 'cold' }));
      expect(runner.status().generation).toBe(2);
      expect((await readCounts(pool, 'cold')).rows).toEqual(expectedCounts(await allEvents(db.store)));
    },
  );

  it('counts the events to apply only for a rebuild whose progress is watched', async () => {
    const source = postgresProjectionSource(pool);
    let counts = 0;
    const counting = { ...source, countEvents: (query: never) => (counts++, source.countEvents(query)) };
    await rebuildProjection({ pool, projection: countingProjection({ name: 'unwatched' }), source: counting });
    expect(counts).toBe(0);
    const progress: number[] = [];
    const watched = { pool, projection: countingProjection({ name: 'unwatched' }), source: counting };
    const result = await rebuildProjection({ ...watched, onProgress: (_done, total) => progress.push(total) });
    expect(counts).toBe(1);
    // known from the start: the first total reported is what the rebuild then applied
    expect(progress[0]).toBe(result.events);
  });

  it('fills the new generation without its read indexes and makes them before it serves', async () => {
    const seen: boolean[] = [];
    const indexed = (schema: string) => hasIndex(pool, schema, COUNTS_BY_TOTAL);
    await startRunner(countingProjection({ name: 'reindexed', readIndex: true }));
    expect(await indexed('proj_reindexed_g1')).toBe(true);

    await rebuildProjection({
      pool,
      batchSize: 100,
      projection: countingProjection({
        name: 'reindexed',
        readIndex: true,
        afterWrite: async (_events, schema) => void seen.push(await indexed(schema)),
      }),
    });

    expect(seen.length).toBeGreaterThan(5);
    expect(seen.every((there) => !there)).toBe(true);
    expect((await readCounts(pool, 'reindexed')).servedBy).toEqual(['proj_reindexed_g2']);
    expect(await indexed('proj_reindexed_g2')).toBe(true);
  });

  it('leaves the active generation serving when it fails, and drops its partial generation', async () => {
    await startRunner(countingProjection({ name: 'failing' }));
    const before = await readCounts(pool, 'failing');
    let batches = 0;

    await expect(
      rebuildProjection({
        pool,
        batchSize: 100,
        projection: countingProjection({
          name: 'failing',
          afterWrite: () => {
            if (++batches === 3) throw new Error('a bug in the new version');
          },
        }),
      }),
    ).rejects.toThrow('a bug in the new version');

    expect(await readCounts(pool, 'failing')).toEqual(before);
    expect(await schemas('failing')).toEqual(['proj_failing_g1']);
    expect(await checkpointRows('failing')).toEqual([{ generation: 1 }]);
  });

  it('drops the partial generation of a rebuild whose process died, and builds a fresh one', async () => {
    const projection = countingProjection({ name: 'abandoned' });
    await startRunner(projection);
    // What a killed rebuild leaves: generation 2 with some rows and a checkpoint, never activated.
    await inTransaction(pool, async (client) => {
      await createGeneration(client, projection, 2);
      await client.query(`INSERT INTO proj_abandoned_g2.counts VALUES ('stale', 1000, 1000)`);
      await client.query(`UPDATE projection_checkpoints SET position = 5 WHERE name = 'abandoned' AND generation = 2`);
    });

    const result = await rebuildProjection({ pool, projection });

    expect(result.generation).toBe(2);
    expect((await readCounts(pool, 'abandoned')).rows).toEqual(expectedCounts(await allEvents(db.store)));
  });

  it('refuses a second rebuild of the same projection while one runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inFirstBatch = new Promise<void>((resolve) => (started = resolve));
    const first = rebuildProjection({
      pool,
      projection: countingProjection({
        name: 'busy',
        afterWrite: async () => {
          started();
          await gate;
        },
      }),
    });
    await inFirstBatch;

    await expect(rebuildProjection({ pool, projection: countingProjection({ name: 'busy' }) })).rejects.toBeInstanceOf(
      ProjectionRebuildInProgressError,
    );
    release();
    await expect(first).resolves.toMatchObject({ generation: 2 });
  });

  it('re-points views whose columns changed in a new version of the projection', async () => {
    const v1 = countingProjection({ name: 'versioned' });
    await startRunner(v1);
    const v2: Projection = {
      ...v1,
      views: (schema) => [
        {
          name: 'versioned_counts',
          select: `SELECT stream_name, total, events, '${schema}' AS served_by FROM "${schema}".counts`,
        },
        { name: 'versioned_totals', select: `SELECT sum(total) AS total FROM "${schema}".counts` },
      ],
    };

    await rebuildProjection({ pool, projection: v2 });

    const { rows } = await pool.query(`SELECT * FROM read_models.versioned_counts LIMIT 1`);
    expect(Object.keys(rows[0])).toEqual(['stream_name', 'total', 'events', 'served_by']);
    const totals = await pool.query(`SELECT total::int FROM read_models.versioned_totals`);
    const expected = expectedCounts(await allEvents(db.store)).reduce((sum, row) => sum + row.total, 0);
    expect(totals.rows).toEqual([{ total: expected }]);
  });
});
