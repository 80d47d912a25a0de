import { Pool } from 'pg';

export const rateLimitMigrations = [
  {
    id: 'rate-limits-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS rate_limit_windows (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        resets_at timestamptz NOT NULL
      );`,
  },
];

/** Ended windows are deleted once in this many hits of a process (a window that ended counts as a fresh one anyway). */
const SWEEP_EVERY = 1000;

/**
 * Fixed-window counters shared by every process on the database (the sign-in limit per client address): a key's
 * window opens at its first hit and lasts `windowMs`; the time is the caller's (the application's clock).
 */
export class PostgresRateLimits {
  private hitsSinceSweep = 0;

  constructor(private readonly pool: Pool) {}

  /** Counts one hit of `key` at `now`; answers the hits in the key's current window and when that window ends. */
  async hit(key: string, now: Date, windowMs: number): Promise<{ hits: number; resetsAt: Date }> {
    const { rows } = await this.pool.query<{ hits: number; resets_at: Date }>(
      `INSERT INTO rate_limit_windows AS w (key, hits, resets_at)
       VALUES ($1, 1, $2::timestamptz + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN w.resets_at <= $2 THEN 1 ELSE w.hits + 1 END,
         resets_at = CASE WHEN w.resets_at <= $2 THEN EXCLUDED.resets_at ELSE w.resets_at END
       RETURNING hits, resets_at`,
      [key, now, windowMs],
    );
    if (++this.hitsSinceSweep >= SWEEP_EVERY) {
      this.hitsSinceSweep = 0;
      await this.pool.query('DELETE FROM rate_limit_windows WHERE resets_at <= $1', [now]);
    }
    return { hits: rows[0]!.hits, resetsAt: rows[0]!.resets_at };
  }
}
