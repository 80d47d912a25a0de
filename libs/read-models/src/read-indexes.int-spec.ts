import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { createReadIndexes } from '@zhenggai/postgres';
import { allProjections, tasksProjection } from './index';

/**
 * The read indexes a generation gets once caught up (`Projection.readIndexes`) used to be made with the tables,
 * unnamed. A generation built then must be found to have them all: each is named as PostgreSQL names an unnamed
 * index made the old way, in the same order (a second index on the same columns gets a `1`).
 */
describe('read indexes', () => {
  let database: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  const withReadIndexes = allProjections.filter((projection) => projection.readIndexes);

  it('are declared by the projections whose readers need them', () => {
    expect(withReadIndexes.map((projection) => projection.name).sort()).toEqual(['audit', 'tasks']);
  });

  it.each(withReadIndexes.map((projection) => [projection.name, projection] as const))(
    '%s: each is named as the same index made unnamed with the tables was',
    async (name, projection) => {
      const schema = `old_${name}`;
      await client.query(`CREATE SCHEMA "${schema}"`);
      await projection.setup(client, schema);
      const indexes = projection.readIndexes!(schema);
      for (const index of indexes) await client.query(`CREATE INDEX ${index.on}`);

      const { rows } = await client.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1`,
        [schema],
      );
      const made = rows.map((row) => row.indexname);
      expect(made).toEqual(expect.arrayContaining(indexes.map((index) => index.name)));
      expect(new Set(indexes.map((index) => index.name)).size).toBe(indexes.length);
    },
  );

  it('a unique one is made unique, and the catch-up that makes it fails if two rows share its key', async () => {
    const numbered = async (schema: string, rows: ReadonlyArray<[string, number]>) => {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await tasksProjection.setup(client, schema);
      for (const [taskId, seq] of rows)
        await client.query(
          `INSERT INTO "${schema}".task_numbers VALUES ($1, '00000000-0000-4000-8000-00000000000c', 2026, $2)`,
          [taskId, seq],
        );
    };
    const task = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    await numbered('numbers_apart', [
      [task(1), 1],
      [task(2), 2],
    ]);
    await createReadIndexes(client, tasksProjection, 'numbers_apart');
    const { rows } = await client.query<{ name: string; unique: boolean }>(
      `SELECT c.relname AS name, i.indisunique AS unique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname LIKE 'task_numbers%' AND c.relnamespace = 'numbers_apart'::regnamespace ORDER BY 1`,
    );
    expect(rows).toEqual([
      { name: 'task_numbers_county_id_year_seq_idx', unique: true },
      { name: 'task_numbers_task_id_idx', unique: true },
    ]);

    await numbered('numbers_shared', [
      [task(1), 1],
      [task(2), 1],
    ]);
    await expect(createReadIndexes(client, tasksProjection, 'numbers_shared')).rejects.toThrow(/unique/);
  });
});
