import { CheckpointStore, GlobalPosition } from '@zhenggai/application';
import { Pool, PoolClient } from 'pg';

export const subscriptionMigrations = [
  {
    id: 'subscriptions-001-checkpoints',
    sql: `
      CREATE TABLE IF NOT EXISTS subscription_checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

/**
 * The reactions' checkpoints in PostgreSQL. `save` takes a client so a subscriber can commit its checkpoint in
 * the same transaction as the changes the batch caused.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  constructor(private readonly pool: Pool) {}

  async load(name: string): Promise<GlobalPosition> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position FROM subscription_checkpoints WHERE name = $1',
      [name],
    );
    return rows[0] ? BigInt(rows[0].position) : 0n;
  }

  async save(name: string, position: GlobalPosition, client: Pool | PoolClient = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO subscription_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [name, position.toString()],
    );
  }

  async all(): Promise<Array<{ name: string; position: GlobalPosition; updatedAt: string }>> {
    const { rows } = await this.pool.query<{ name: string; position: string; updated_at: Date }>(
      'SELECT name, position, updated_at FROM subscription_checkpoints ORDER BY name',
    );
    return rows.map((r) => ({ name: r.name, position: BigInt(r.position), updatedAt: r.updated_at.toISOString() }));
  }
}
