import { IdempotencyClaim, IdempotencyStore, StoredAnswer } from '@zhenggai/application';
import { Pool } from 'pg';

export const idempotencyMigrations = [
  {
    id: 'idempotency-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        answer jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      );`,
  },
];

export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(private readonly pool: Pool) {}

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const inserted = await this.pool.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [scope, key, fingerprint],
    );
    if (inserted.rowCount === 1) return { outcome: 'claimed' };
    const { rows } = await this.pool.query<{ fingerprint: string; answer: StoredAnswer | null }>(
      'SELECT fingerprint, answer FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    const row = rows[0];
    if (!row) return this.claim(scope, key, fingerprint); // released in between
    if (row.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    return row.answer ? { outcome: 'replay', answer: row.answer } : { outcome: 'in-progress' };
  }

  async complete(scope: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.pool.query('UPDATE idempotency_keys SET answer = $3 WHERE scope = $1 AND key = $2', [
      scope,
      key,
      JSON.stringify(answer),
    ]);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND answer IS NULL', [scope, key]);
  }
}
