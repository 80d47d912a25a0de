import type { Projection, StoredEvent } from '@zhenggai/application';
import { ProjectionRunner } from '@zhenggai/postgres';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { ProjectionVersionAheadError } from './projection.errors';
import { appendEvents, openProjectionTestDatabase, type ProjectionTestDatabase } from './testing/projection-test-kit';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';

/** Version 1 counts events per stream; version 2 also keeps the last position, in a column version 1 lacks. */
function perStream(version: 1 | 2): Projection {
  return {
    name: 'per_stream',
    version,
    eventTypePrefixes: [''],
    async setup(sql, schema) {
      await sql.query(
        `CREATE TABLE "${schema}".per_stream (stream_name text PRIMARY KEY, ` +
          `events integer NOT NULL${version === 2 ? ', last_position bigint NOT NULL' : ''})`,
      );
    },
    views: (schema) => [{ name: 'per_stream', select: `SELECT * FROM "${schema}".per_stream` }],
    async apply(sql, schema, events: readonly StoredEvent[]) {
      for (const e of events) {
        await sql.query(
          version === 2
            ? `INSERT INTO "${schema}".per_stream VALUES ($1, 1, $2) ON CONFLICT ` +
                '(stream_name) DO UPDATE SET events = per_stream.events + 1, ' +
                'last_position = $2'
            : `INSERT INTO "${schema}".per_stream VALUES ($1, 1) ON CONFLICT ` +
                '(stream_name) DO UPDATE SET events = per_stream.events + 1',
          version === 2 ? [e.streamName, e.position.toString()] : [e.streamName],
        );
      }
    },
  };
}

describe('a projection whose tables changed (a new version)', () => {
  let database: TestDatabase;
  let db: ProjectionTestDatabase;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await closedAfterThisFile(openProjectionTestDatabase(database.url), (d) => d.close());
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await db?.close();
    await database?.drop();
  });

  const runner = (projection: Projection, onError?: (error: unknown) => void) => {
    const r = new ProjectionRunner({
      pool: db.pool(),
      projection,
      leaseRetryMs: 100,
      maxFailureWaitMs: 400,
      pollIntervalMs: 50,
      onError,
    });
    runners.push(r);
    return r;
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const end = Date.now() + 30_000; !(await check()); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    }
  };
  const state = async () =>
    (
      await db
        .pool()
        .query('SELECT active_generation, active_version FROM projection_state WHERE name = $1', ['per_stream'])
    ).rows[0];
  const view = async () => (await db.pool().query('SELECT * FROM read_models.per_stream ORDER BY stream_name')).rows;

  it(
    'is rebuilt (blue/green) by the worker running the new version, which ' + 'then goes on live on the new generation',
    async () => {
      await appendEvents(db.store, 60, { streams: 3, prefix: 'up' });
      const v1 = runner(perStream(1));
      await v1.start();
      await until('version 1 to catch up', async () => (await view()).reduce((n, r) => n + r.events, 0) === 60);
      expect(Object.keys((await view())[0])).toEqual(['stream_name', 'events']);
      await v1.stop();

      const v2 = runner(perStream(2));
      await v2.start();
      await until(
        'version 2 to be active',
        async () => (await state()).active_version === 2 && v2.status().phase === 'live',
      );
      expect(await state()).toEqual({ active_generation: 2, active_version: 2 });
      const rows = await view();
      expect(rows.map((r) => [r.stream_name, r.events])).toEqual([
        ['up-0', 20],
        ['up-1', 20],
        ['up-2', 20],
      ]);
      expect(rows.every((r) => Number(r.last_position) > 0)).toBe(true);

      // It stays live on the new generation.
      await appendEvents(db.store, 3, { streams: 3, prefix: 'up' });
      await until('the new events', async () => (await view()).reduce((n, r) => n + r.events, 0) === 63);
    },
  );

  it('is left alone by a worker still running the old version (a rolling upgrade), which applies nothing', async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    const errors: unknown[] = [];
    const old = runner(perStream(1), (error) => errors.push(error));
    await old.start();
    await until('the old worker to notice', async () => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(ProjectionVersionAheadError);
    await appendEvents(db.store, 3, { streams: 3, prefix: 'up' });
    // Two more attempts: the first of them began after the appends, and ended (as every one does) refusing.
    const attempts = errors.length;
    await until('the old worker to try again', async () => errors.length >= attempts + 2);
    await old.stop();
    expect((await view()).reduce((n, r) => n + r.events, 0)).toBe(63);
    expect(await state()).toEqual({ active_generation: 2, active_version: 2 });
    expect(errors.every((error) => error instanceof ProjectionVersionAheadError)).toBe(true);
  });
});
