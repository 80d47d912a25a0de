import {
  isPostgresConnectionFailure,
  ProjectionRebuildLockLostError,
  ProjectionRunner,
  readProjectionStatuses,
  rebuildProjection,
} from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { countingProjection, expectedCounts } from './testing/counting.projection';
import {
  allEvents,
  appendEvents,
  openProjectionTestDatabase,
  readCounts,
  waitUntilCaughtUp,
  type ProjectionTestDatabase,
} from './testing/projection-test-kit';

/** A point inside a transaction where the code under test stops until the test lets it go on. */
function gate() {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  return {
    reached,
    open,
    wait: async () => {
      arrived();
      await opened;
    },
  };
}

/**
 * Issue 16, point 1: a connection that PostgreSQL terminates (a restart, `pg_terminate_backend`) at a known step —
 * a batch's transaction, a rebuild's lock — fails that step only: nothing is applied twice or lost, and the writer
 * carries on or stops cleanly, never the process.
 */
describe('projections when PostgreSQL terminates their connections', () => {
  let database: TestDatabase;
  let db: ProjectionTestDatabase;
  let admin: Pool;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await closedAfterThisFile(openProjectionTestDatabase(database.url), (d) => d.close());
    admin = db.pool(2, 'zg-test-admin');
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** Terminates the backends of this database matching `where`; returns how many. */
  async function terminate(where: string, params: unknown[] = []): Promise<number> {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${where}`,
      params,
    );
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [rows.map((row) => row.pid)]);
    return rows.length;
  }

  it(
    'a batch whose connection is terminated inside its transaction rolls ' +
      'back, is applied again after a pause, and the runner carries on',
    async () => {
      await appendEvents(db.store, 120, { prefix: 'cut', otherEvery: 5 });
      const inBatch = gate();
      let batches = 0;
      const errors: unknown[] = [];
      const runner = new ProjectionRunner({
        pool: db.pool(3, 'zg-test-batch'),
        projection: countingProjection({
          name: 'cut_batch',
          afterWrite: async () => void (++batches === 2 && (await inBatch.wait())),
        }),
        batchSize: 40,
        leaseRetryMs: 100,
        onError: (error) => errors.push(error),
      });
      runners.push(runner);
      await runner.start();

      await inBatch.reached;
      // The batch's own connection: its rows are written, its checkpoint not yet moved.
      expect(await terminate(`application_name = 'zg-test-batch' AND state = 'idle in transaction'`)).toBe(1);
      inBatch.open();
      await waitUntilCaughtUp(runner, admin);

      expect(errors).toHaveLength(1);
      expect(isPostgresConnectionFailure(errors[0])).toBe(true);
      expect((await readCounts(admin, 'cut_batch')).rows).toEqual(expectedCounts(await allEvents(db.store)));
      // It carries on with what comes next.
      await appendEvents(db.store, 30, { prefix: 'cut-after' });
      await waitUntilCaughtUp(runner, admin);
      expect((await readCounts(admin, 'cut_batch')).rows).toEqual(expectedCounts(await allEvents(db.store)));
      expect(runner.status()).toMatchObject({ holdsLease: true, phase: 'live', lastError: null });
    },
  );

  it(
    'a runner whose every connection is terminated at once (a server ' +
      'restart) takes its lease again and catches up',
    async () => {
      await appendEvents(db.store, 50, { prefix: 'restart' });
      const errors: unknown[] = [];
      const runner = new ProjectionRunner({
        pool: db.pool(3, 'zg-test-restart'),
        projection: countingProjection({ name: 'restarted' }),
        leaseRetryMs: 100,
        pollIntervalMs: 60_000,
        onError: (error) => errors.push(error),
      });
      runners.push(runner);
      await runner.start();
      await waitUntilCaughtUp(runner, admin);

      expect(await terminate(`application_name LIKE 'zg-test-restart%'`)).toBeGreaterThanOrEqual(2);
      await appendEvents(db.store, 50, { prefix: 'restart-after' });
      await waitUntilCaughtUp(runner, admin);

      expect(errors).toContainEqual(expect.objectContaining({ name: 'ProjectionLeaseLostError' }));
      expect((await readCounts(admin, 'restarted')).rows).toEqual(expectedCounts(await allEvents(db.store)));
      expect(runner.status()).toMatchObject({ holdsLease: true, phase: 'live' });
    },
  );

  it(
    'a rebuild whose lock connection is terminated stops, activates ' +
      'nothing, and leaves the next rebuild a clean start',
    async () => {
      await appendEvents(db.store, 200, { prefix: 'rebuilt' });
      const live = new ProjectionRunner({
        pool: db.pool(),
        projection: countingProjection({ name: 'rebuilt' }),
        leaseRetryMs: 100,
      });
      runners.push(live);
      await live.start();
      await waitUntilCaughtUp(live, admin);

      const inBatch = gate();
      const rebuilding = rebuildProjection({
        pool: db.pool(3),
        batchSize: 50,
        projection: countingProjection({ name: 'rebuilt', afterWrite: () => inBatch.wait() }),
      });
      await inBatch.reached;
      expect(await terminate(`application_name LIKE '%:rebuild:rebuilt'`)).toBe(1);
      inBatch.open();

      await expect(rebuilding).rejects.toBeInstanceOf(ProjectionRebuildLockLostError);
      expect(await readProjectionStatuses(admin, ['rebuilt'])).toEqual([expect.objectContaining({ generation: 1 })]);
      expect((await readCounts(admin, 'rebuilt')).servedBy).toEqual(['proj_rebuilt_g1']);

      const result = await rebuildProjection({
        pool: db.pool(3),
        batchSize: 50,
        projection: countingProjection({ name: 'rebuilt' }),
      });
      expect(result).toMatchObject({ previousGeneration: 1, generation: 2 });
      expect(await readCounts(admin, 'rebuilt')).toEqual({
        rows: expectedCounts(await allEvents(db.store)),
        servedBy: ['proj_rebuilt_g2'],
      });
    },
  );
});
