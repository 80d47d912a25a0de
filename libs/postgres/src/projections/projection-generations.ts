import type { Projection } from '@zhenggai/application';
import type { Client, Pool, PoolClient } from 'pg';
import { assertValidProjection, generationSchema } from './projection-names';
import { inTransaction } from './transaction';

/**
 * A projection's generations: each is a schema (`proj_<name>_g<n>`) with the projection's tables and a
 * checkpoint row of its own. One generation is active (`projection_state`); the `read_models` views point
 * at it. A rebuild fills the next generation beside it and then activates it.
 */

/**
 * The active generation, or `null` when the projection was never started. Inside a transaction, `lock`
 * locks the state row: batches take it `FOR SHARE`, the activation of a new generation `FOR UPDATE`.
 */
export async function readActiveGeneration(
  db: Pool | PoolClient,
  name: string,
  lock?: 'FOR SHARE' | 'FOR UPDATE',
): Promise<number | null> {
  const { rows } = await db.query<{ active_generation: number }>(
    `SELECT active_generation FROM projection_state WHERE name = $1 ${lock ?? ''}`,
    [name],
  );
  return rows[0]?.active_generation ?? null;
}

/** A generation's checkpoint, or `null` when the generation has no row (it was dropped, or never made). */
export async function readCheckpoint(db: Pool | PoolClient, name: string, generation: number): Promise<bigint | null> {
  const { rows } = await db.query<{ position: string }>(
    'SELECT position FROM projection_checkpoints WHERE name = $1 AND generation = $2',
    [name, generation],
  );
  return rows[0] ? BigInt(rows[0].position) : null;
}

/**
 * The active generation, after creating generation 1 if the projection has none: its schema, its tables
 * (`setup`), the `read_models` views and its checkpoint at 0, all in one transaction. A process that serves
 * the views without running the projection (an API alone on a new database) may call it so they exist. Processes that
 * do this
 * at the same moment serialise on the insert of the state row: the first creates, the others wait for its
 * commit and then find the row.
 */
export async function ensureActiveGeneration(pool: Pool, projection: Projection): Promise<number> {
  assertValidProjection(projection);
  const existing = await readActiveGeneration(pool, projection.name);
  if (existing !== null) return existing;
  const created = await inTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      'INSERT INTO projection_state (name, active_generation, ' +
        'active_version) VALUES ($1, 1, $2) ON CONFLICT (name) DO NOTHING',
      [projection.name, projectionVersion(projection)],
    );
    if (rowCount === 0) return false;
    await createGeneration(client, projection, 1);
    await pointViews(client, projection, 1);
    return true;
  });
  return created ? 1 : (await readActiveGeneration(pool, projection.name))!;
}

/** Inside a transaction: the generation's schema, its tables and its checkpoint at 0. */
export async function createGeneration(client: PoolClient, projection: Projection, generation: number): Promise<void> {
  const schema = generationSchema(projection.name, generation);
  await client.query(`CREATE SCHEMA "${schema}"`);
  await projection.setup(client, schema);
  await client.query('INSERT INTO projection_checkpoints (name, generation, position) VALUES ($1, $2, 0)', [
    projection.name,
    generation,
  ]);
}

/**
 * The read indexes (`Projection.readIndexes`) that the projection's tables in `schema` (a generation's) lack, created;
 * those it has are left as they are (checked in the catalogue first, so that a generation that has them all costs one
 * read and takes no lock). Called in the transaction that catches a generation up, or before a rebuilt generation is
 * activated.
 */
export async function createReadIndexes(
  db: Pool | PoolClient | Client,
  projection: Projection,
  schema: string,
): Promise<void> {
  const wanted = projection.readIndexes?.(schema) ?? [];
  if (wanted.length === 0) return;
  const { rows } = await db.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [
    schema,
  ]);
  const present = new Set(rows.map((row) => row.indexname));
  for (const index of wanted)
    if (!present.has(index.name))
      await db.query(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${index.name}" ${index.on}`);
}

/**
 * Inside a transaction: points each of the projection's `read_models` views at the generation. A view
 * whose columns changed (a new version of the projection) cannot be replaced in place and is dropped and
 * created again. Views the projection no longer defines keep pointing at the old generation until its
 * schema is dropped, which drops them.
 */
export async function pointViews(client: PoolClient, projection: Projection, generation: number): Promise<void> {
  for (const view of projection.views(generationSchema(projection.name, generation))) {
    const target = `read_models."${view.name}"`;
    await client.query('SAVEPOINT point_view');
    try {
      await client.query(`CREATE OR REPLACE VIEW ${target} AS ${view.select}`);
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT point_view');
      await client.query(`DROP VIEW IF EXISTS ${target}`);
      await client.query(`CREATE VIEW ${target} AS ${view.select}`);
    }
    await client.query('RELEASE SAVEPOINT point_view');
  }
}

/**
 * Drops the generations of the projection other than the active one that match `which` (their schemas,
 * with whatever views still depend on them, and their checkpoint rows), each in a transaction of its own.
 */
export async function dropGenerations(
  pool: Pool,
  name: string,
  which: 'older-than' | 'newer-than',
  generation: number,
): Promise<number[]> {
  const { rows } = await pool.query<{ generation: number }>(
    `SELECT generation FROM projection_checkpoints
     WHERE name = $1 AND generation ${which === 'older-than' ? '<' : '>'} $2 ORDER BY generation`,
    [name, generation],
  );
  for (const { generation: dropped } of rows) {
    await inTransaction(pool, async (client) => {
      // Never the active one, whatever the caller thought.
      const active = await readActiveGeneration(client, name, 'FOR UPDATE');
      if (active === dropped) return;
      await client.query(`DROP SCHEMA IF EXISTS "${generationSchema(name, dropped)}" CASCADE`);
      await client.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [name, dropped]);
    });
  }
  return rows.map((row) => row.generation);
}

export const projectionVersion = (projection: Projection): number => projection.version ?? 1;

/** The version of the projection that built the active generation (null before the first start). */
export async function readActiveVersion(db: Pool | PoolClient, name: string): Promise<number | null> {
  const { rows } = await db.query<{ active_version: number }>(
    'SELECT active_version FROM projection_state WHERE name = $1',
    [name],
  );
  return rows[0]?.active_version ?? null;
}
