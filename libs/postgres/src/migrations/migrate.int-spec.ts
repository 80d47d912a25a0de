import {
  createPool,
  migrate,
  MigrationFailedError,
  MigrationListError,
  UnknownMigrationsError,
  type Migration,
} from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';

describe('migrate', () => {
  let database: TestDatabase;
  const pools: Pool[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await database.drop();
  });

  const openPool = () => {
    const pool = createPool(database.url, { max: 2 });
    pools.push(pool);
    return pool;
  };

  const tables = async (pool: Pool) =>
    (
      await pool.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).rows.map((row) => row.table_name);

  const first: Migration = { id: 'test-001-first', sql: 'CREATE TABLE first_table (id int PRIMARY KEY)' };
  const second: Migration = {
    id: 'test-002-second',
    sql: `CREATE TABLE second_table (id int PRIMARY KEY);
          INSERT INTO second_table VALUES (1), (2);`,
  };

  it('applies each migration once, in list order, and records it', async () => {
    const pool = openPool();

    expect(await migrate(pool, [first])).toEqual(['test-001-first']);
    expect(await migrate(pool, [first, second])).toEqual(['test-002-second']);
    expect(await migrate(pool, [first, second])).toEqual([]);

    expect(await tables(pool)).toEqual(['first_table', 'schema_migrations', 'second_table']);
    const { rows } = await pool.query('SELECT id FROM schema_migrations ORDER BY applied_at, id');
    expect(rows.map((row) => row.id)).toEqual(['test-001-first', 'test-002-second']);
  });

  it('lets processes that start together apply every migration exactly once', async () => {
    const slow: Migration = { id: 'test-003-slow', sql: 'SELECT pg_sleep(0.2); CREATE TABLE slow_table (id int)' };

    const applied = await Promise.all([1, 2, 3, 4].map(() => migrate(openPool(), [first, slow, second])));

    expect(applied.flat().sort()).toEqual(['test-001-first', 'test-002-second', 'test-003-slow']);
    expect(await tables(openPool())).toEqual(['first_table', 'schema_migrations', 'second_table', 'slow_table']);
  });

  it('rolls back a failing migration entirely and keeps the ones before it', async () => {
    const pool = openPool();
    const broken: Migration = {
      id: 'test-002-broken',
      sql: 'CREATE TABLE half_done (id int); SELECT * FROM missing_table',
    };

    const error = await migrate(pool, [first, broken, second]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MigrationFailedError);
    expect(error).toMatchObject({ migrationId: 'test-002-broken' });
    expect(await tables(pool)).toEqual(['first_table', 'schema_migrations']);
    expect(await migrate(pool, [first, second])).toEqual(['test-002-second']);
  });

  it('refuses a list with the same id twice before touching the database', async () => {
    const pool = openPool();

    await expect(migrate(pool, [first, { ...second, id: first.id }])).rejects.toBeInstanceOf(MigrationListError);
    expect(await tables(pool)).toEqual([]);
  });

  it('refuses a database that records a migration the list does not know, and applies nothing', async () => {
    const pool = openPool();
    await migrate(pool, [first, second]);

    const error = await migrate(pool, [
      first,
      { id: 'test-003-third', sql: 'CREATE TABLE third_table (id int)' },
    ]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnknownMigrationsError);
    expect(error).toMatchObject({ migrationIds: ['test-002-second'] });
    expect(await tables(pool)).toEqual(['first_table', 'schema_migrations', 'second_table']);
  });
});
