import { randomUUID } from 'node:crypto';
import {
  createPool,
  directoryMigrations,
  isPostgresConnectionFailure,
  migrate,
  PostgresDirectory,
} from '@zhenggai/postgres';
import { Client, type Pool } from 'pg';
import type { DirectoryChange } from '@zhenggai/application';
import { eventually } from '../../../../test/support/http-client';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';

// One database for the file's two cases.
let database: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = await closedAfterThisFile(
    Promise.resolve(createPool(database.url, { max: 3, applicationName: 'zg-directory' })),
    (p) => (p.ended ? undefined : p.end()),
  );
  await migrate(pool, directoryMigrations);
});
afterAll(async () => {
  // At this level, closedAfterThisFile's own hook may have ended it already.
  if (pool && !pool.ended) await pool.end();
  await database?.drop();
});

/**
 * Issue 16, point 1: the directory applies a command's events in a transaction on a connection it checks out of
 * the pool. PostgreSQL terminating that connection in the middle (a restart) fails that apply as "out of reach"
 * (the API answers 503; the directory tables' reaction applies the events again) and nothing else: the process
 * and the pool carry on.
 */
describe('PostgresDirectory when PostgreSQL terminates the connection of its transaction', () => {
  it('fails that apply as a connection failure, and the next apply goes through', async () => {
    const directory = new PostgresDirectory(pool);
    const regionId = randomUUID();
    const streamName = `region-${regionId}`;
    await directory.apply([
      {
        streamName,
        revision: 0,
        type: 'RegionCreated',
        data: { regionId, code: '341225', name: '阜南县', level: 'county', parentId: null, path: [regionId] },
      },
    ]);

    // The test holds the region's row, so that the directory's transaction waits at a known statement.
    const holder = new Client({ connectionString: database.url, application_name: 'zg-test-holder' });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM regions WHERE id = $1 FOR UPDATE', [regionId]);
    let applying: Promise<unknown>;
    try {
      applying = directory
        .apply([{ streamName, revision: 1, type: 'RegionRenamed', data: { regionId, name: '阜南' } }])
        .then(
          () => 'applied',
          (error) => error,
        );
      const waiting = async () =>
        (
          await holder.query<{ pid: number }>(
            'SELECT pid FROM pg_stat_activity WHERE datname = current_database() ' +
              `AND application_name = 'zg-directory' AND wait_event_type = 'Lock'`,
          )
        ).rows;
      const [blocked] = await eventually(
        async () => {
          const rows = await waiting();
          return rows.length === 1 ? rows : undefined;
        },
        60_000,
        20,
      );
      await holder.query('SELECT pg_terminate_backend($1)', [blocked!.pid]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }

    const failure = await applying;
    expect(isPostgresConnectionFailure(failure)).toBe(true);
    await directory.apply([{ streamName, revision: 1, type: 'RegionRenamed', data: { regionId, name: '阜南' } }]);
    expect((await directory.getRegion(regionId, { stored: true }))?.name).toBe('阜南');
  });
});

/**
 * Issue 22, the write path: every finding filed names its category, and the lookup was one query a command. A
 * category found is remembered (categories are never deleted and keep their code); one not found is asked again.
 */
describe('PostgresDirectory looking up a category by its code', () => {
  const defined = (categoryId: string, code: string, name: string): DirectoryChange => ({
    streamName: `category-${categoryId}`,
    revision: 0,
    type: 'CategoryDefined',
    data: { categoryId, code, name },
  });

  it('remembers a category found, asks again for one not found, and forgets one renamed', async () => {
    const directory = new PostgresDirectory(pool);
    const categoryId = randomUUID();
    expect(await directory.findCategoryByCode('DH')).toBeNull();
    await directory.apply([defined(categoryId, 'DH', '危房改造')]);
    expect(await directory.findCategoryByCode('DH')).toEqual({ id: categoryId, code: 'DH', name: '危房改造' });

    // Changed behind its back: the remembered answer stands, without a query.
    await pool.query(`UPDATE categories SET name = '改过' WHERE id = $1`, [categoryId]);
    expect((await directory.findCategoryByCode('DH'))?.name).toBe('危房改造');

    await directory.apply([
      {
        streamName: `category-${categoryId}`,
        revision: 1,
        type: 'CategoryRenamed',
        data: { categoryId, name: '农村危房改造', previousName: '危房改造' },
      },
    ]);
    expect((await directory.findCategoryByCode('DH'))?.name).toBe('农村危房改造');
  });

  it('asks again after a minute', async () => {
    let now = 0;
    const directory = new PostgresDirectory(pool, () => now);
    const categoryId = randomUUID();
    await directory.apply([defined(categoryId, 'HJ', '人居环境')]);
    expect((await directory.findCategoryByCode('HJ'))?.name).toBe('人居环境');
    await pool.query(`UPDATE categories SET name = '人居环境整治' WHERE id = $1`, [categoryId]);
    now += 59_000;
    expect((await directory.findCategoryByCode('HJ'))?.name).toBe('人居环境');
    now += 2_000;
    expect((await directory.findCategoryByCode('HJ'))?.name).toBe('人居环境整治');
  });
});
