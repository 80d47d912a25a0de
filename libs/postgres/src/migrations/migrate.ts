import type { Pool, PoolClient } from 'pg';
import { MigrationFailedError, MigrationListError, UnknownMigrationsError, type Migration } from './migration';

// Session advisory lock held for the whole run, so that processes starting together apply each migration
// once, one after the other (the others wait, then find the migrations applied). Arbitrary constant.
const MIGRATION_LOCK_KEY = 7_213_650_001;

/**
 * Applies, in list order, the migrations not yet recorded in `schema_migrations`, each in its own
 * transaction. Returns the ids applied by this call. Refuses (`UnknownMigrationsError`, before applying
 * anything) a database that records a migration the list does not hold: its schema is not one this code
 * knows how to continue.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<string[]> {
  assertUniqueIds(migrations);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function applyPending(client: PoolClient, migrations: readonly Migration[]): Promise<string[]> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
  const applied = new Set(rows.map((row) => row.id));
  const known = new Set(migrations.map((migration) => migration.id));
  const unknown = [...applied].filter((id) => !known.has(id)).sort();
  if (unknown.length > 0) throw new UnknownMigrationsError(unknown);
  const appliedNow: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    try {
      await client.query('BEGIN');
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationFailedError(migration.id, error);
    }
    appliedNow.push(migration.id);
  }
  return appliedNow;
}

function assertUniqueIds(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (seen.has(id)) throw new MigrationListError(`migration id ${id} appears twice`);
    seen.add(id);
  }
}
