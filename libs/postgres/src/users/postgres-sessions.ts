import { LoginThrottle, RefreshOutcome, Session, SessionStore } from '@zhenggai/application';
import { Pool } from 'pg';

export const sessionMigrations = [
  {
    id: 'sessions-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        refresh_hash text NOT NULL UNIQUE,
        previous_hashes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;
      CREATE INDEX IF NOT EXISTS sessions_previous ON sessions USING gin (previous_hashes);
      CREATE TABLE IF NOT EXISTS login_failures (
        username text PRIMARY KEY,
        failures integer NOT NULL,
        first_at timestamptz NOT NULL,
        locked_until timestamptz
      );`,
  },
];

interface SessionRow {
  id: string;
  user_id: string;
  expires_at: Date;
  revoked_at: Date | null;
}
const toSession = (r: SessionRow): Session => ({
  id: r.id,
  userId: r.user_id,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

/** Sessions with rotating refresh tokens (only their SHA-256 is stored), and the lockout counters. */
export class PostgresSessions implements SessionStore, LoginThrottle {
  constructor(private readonly pool: Pool) {}

  async start(session: { id: string; userId: string; refreshHash: string; expiresAt: Date }): Promise<Session> {
    const { rows } = await this.pool.query<SessionRow>(
      'INSERT INTO sessions (id, user_id, refresh_hash, expires_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [session.id, session.userId, session.refreshHash, session.expiresAt],
    );
    return toSession(rows[0]!);
  }

  async refresh(presentedHash: string, nextHash: string, now: Date): Promise<RefreshOutcome> {
    const { rows } = await this.pool.query<SessionRow>(
      `UPDATE sessions SET refresh_hash = $2, previous_hashes = previous_hashes || refresh_hash
        WHERE refresh_hash = $1 AND revoked_at IS NULL AND expires_at > $3
        RETURNING *`,
      [presentedHash, nextHash, now],
    );
    if (rows[0]) return { kind: 'renewed', session: toSession(rows[0]) };
    const reused = await this.pool.query<SessionRow>(
      `UPDATE sessions SET revoked_at = coalesce(revoked_at, $2) WHERE previous_hashes @> ARRAY[$1] RETURNING *`,
      [presentedHash, now],
    );
    return reused.rows[0] ? { kind: 'reused', session: toSession(reused.rows[0]) } : { kind: 'invalid' };
  }

  async isActive(sessionId: string, now: Date): Promise<boolean> {
    const { rows } = await this.pool.query(
      'SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2',
      [sessionId, now],
    );
    return rows.length > 0;
  }

  async end(sessionId: string, now: Date): Promise<void> {
    await this.pool.query('UPDATE sessions SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1', [sessionId, now]);
  }

  async endAllOf(userId: string, now: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
      [userId, now],
    );
    return rows.map((r) => r.id);
  }

  async lockedUntil(username: string, now: Date): Promise<Date | null> {
    const { rows } = await this.pool.query<{ locked_until: Date }>(
      'SELECT locked_until FROM login_failures WHERE username = $1 AND locked_until > $2',
      [username, now],
    );
    return rows[0]?.locked_until ?? null;
  }

  async recordFailure(username: string, now: Date, maxFailures: number, lockMs: number): Promise<Date | null> {
    // Failures count within a window as long as the lock; an old count, or a lock that has passed, starts anew.
    const { rows } = await this.pool.query<{ locked_until: Date | null }>(
      `WITH input AS (SELECT $1::text AS username, $2::timestamptz AS now, $3::int AS max_failures,
                             make_interval(secs => $4::numeric / 1000) AS lock)
       INSERT INTO login_failures AS f (username, failures, first_at, locked_until)
       SELECT username, 1, now, CASE WHEN max_failures <= 1 THEN now + lock END FROM input
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN f.first_at < EXCLUDED.first_at - (SELECT lock FROM input) OR f.locked_until <=
           EXCLUDED.first_at THEN 1 ELSE f.failures + 1 END,
         first_at = CASE WHEN f.first_at < EXCLUDED.first_at - (SELECT lock FROM input) OR f.locked_until <=
           EXCLUDED.first_at THEN EXCLUDED.first_at ELSE f.first_at END,
         locked_until = CASE
           WHEN f.locked_until > EXCLUDED.first_at THEN f.locked_until
           WHEN f.first_at >= EXCLUDED.first_at - (SELECT lock FROM input) AND (f.locked_until IS NULL) AND f.failures +
             1 >= (SELECT max_failures FROM input)
             THEN EXCLUDED.first_at + (SELECT lock FROM input)
         END
       RETURNING locked_until`,
      [username, now, maxFailures, lockMs],
    );
    return rows[0]?.locked_until ?? null;
  }

  async recordSuccess(username: string): Promise<void> {
    await this.pool.query('DELETE FROM login_failures WHERE username = $1', [username]);
  }
}
