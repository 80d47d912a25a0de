import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { allProjections } from './index';

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
});
