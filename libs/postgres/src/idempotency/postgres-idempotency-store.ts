import { IdempotencyClaim, IdempotencyStore, StoredAnswer } from '@zhenggai/application';
import { Client, Pool } from 'pg';
import { asPostgresFailure } from '../pool/connection-failure';

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

/** SQL for the advisory lock of the claim on ($1 scope, $2 key). */
const LOCK_KEY_SQL = `hashtextextended('zhenggai.idempotency:' || $1 || chr(10) || $2, 0)`;

const SESSION_QUERY_TIMEOUT_MS = 10_000;

interface ClaimRow {
  readonly fingerprint: string;
  readonly answer: StoredAnswer | null;
}

/**
 * Keys and answers are rows of `idempotency_keys` (a row without an answer: a claim). While a request runs, its
 * claim is also a session advisory lock held on a connection of this process's own (`<app>:idempotency:<pid>` in
 * `pg_stat_activity`). PostgreSQL drops the lock when that session ends, so a claim ends with its holder: a
 * process killed (its kernel closes the connection) or cut off from the database. A request that finds a row
 * without an answer and cannot take the lock is in progress; one that can take it resumes the claim.
 *
 * Session locks are re-entrant, so this process keeps its own claims in mind: a second request with a key it
 * holds is in progress without asking the database.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private session: Promise<Client> | null = null;
  private closed = false;
  /** This process's claims, by scope and key, with the session holding their lock. */
  private readonly held = new Map<string, Promise<Client>>();

  constructor(private readonly pool: Pool) {}

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const id = claimId(scope, key);
    if (this.held.has(id)) return this.heldElsewhere(scope, key, fingerprint);
    const session = this.currentSession();
    this.held.set(id, session);
    let locked: boolean;
    try {
      const client = await session;
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(${LOCK_KEY_SQL}) AS locked`,
        [scope, key],
      );
      locked = rows[0]?.locked === true;
    } catch (error) {
      this.held.delete(id);
      this.drop(session);
      throw asPostgresFailure(error);
    }
    if (!locked) {
      this.held.delete(id);
      return this.heldElsewhere(scope, key, fingerprint);
    }
    try {
      const inserted = await this.pool.query(
        'INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [scope, key, fingerprint],
      );
      if (inserted.rowCount === 1) return { outcome: 'claimed', resumed: false };
      const row = await this.row(scope, key);
      if (row && row.fingerprint === fingerprint && !row.answer) return { outcome: 'claimed', resumed: true };
      await this.unlock(scope, key);
      return answered(row, fingerprint) ?? { outcome: 'in-progress' };
    } catch (error) {
      await this.unlock(scope, key);
      throw asPostgresFailure(error);
    }
  }

  async complete(scope: string, key: string, answer: StoredAnswer): Promise<void> {
    try {
      await this.pool.query('UPDATE idempotency_keys SET answer = $3 WHERE scope = $1 AND key = $2', [
        scope,
        key,
        JSON.stringify(answer),
      ]);
    } finally {
      // Even without the answer kept, the claim ends: a retry resumes it and answers from what the command stored.
      await this.unlock(scope, key);
    }
  }

  async release(scope: string, key: string): Promise<void> {
    await this.unlock(scope, key);
  }

  /** Ends the claims session (and with it every claim still held). */
  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = null;
    const client = await session?.catch(() => null);
    await client?.end().catch(() => undefined);
  }

  /** Someone else holds the claim (or has just ended it): its answer if kept, else in progress. */
  private async heldElsewhere(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    return answered(await this.row(scope, key), fingerprint) ?? { outcome: 'in-progress' };
  }

  private async row(scope: string, key: string): Promise<ClaimRow | null> {
    const { rows } = await this.pool
      .query<ClaimRow>('SELECT fingerprint, answer FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key])
      .catch((error: unknown) => Promise.reject(asPostgresFailure(error)));
    return rows[0] ?? null;
  }

  private async unlock(scope: string, key: string): Promise<void> {
    const id = claimId(scope, key);
    const session = this.held.get(id);
    this.held.delete(id);
    // A lost session took its locks with it; a new one never had this one.
    if (!session || session !== this.session) return;
    const client = await session.catch(() => null);
    // Failing that, the session goes, and every lock with it: a claim left held would be "in progress" for ever.
    await client?.query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`, [scope, key]).catch(() => this.drop(session));
  }

  /** A session that failed (or did not answer in time) is ended: the next claim opens another. */
  private drop(session: Promise<Client>): void {
    if (this.session !== session) return;
    this.session = null;
    void session.then((client) => client.end()).catch(() => undefined);
  }

  /** The claims session, opened on first use and again after it was lost. */
  private currentSession(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('the idempotency store is closed'));
    if (this.session) return this.session;
    const client = new Client({
      ...this.pool.options,
      application_name: `${this.pool.options.application_name ?? 'zhenggai'}:idempotency:${process.pid}`,
      keepAlive: true,
      // Its queries take no time: one that hangs is on a connection that is gone without a word (a network cut).
      query_timeout: SESSION_QUERY_TIMEOUT_MS,
    });
    const opening = client.connect().then(() => client);
    const lost = () => {
      if (this.session === opening) this.session = null;
    };
    client.on('error', lost);
    client.on('end', lost);
    opening.catch(lost);
    this.session = opening;
    return opening;
  }
}

const claimId = (scope: string, key: string) => `${scope}\n${key}`;

/**
 * What a request learns from a claim's row besides "in progress": a kept answer, or that the key was used otherwise.
 */
function answered(row: ClaimRow | null, fingerprint: string): IdempotencyClaim | null {
  if (!row) return null;
  if (row.fingerprint !== fingerprint) return { outcome: 'mismatch' };
  return row.answer ? { outcome: 'replay', answer: row.answer } : null;
}
