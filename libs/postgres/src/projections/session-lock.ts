import { Client, type ClientBase, type Pool } from 'pg';

export interface SessionLockOptions {
  /** What the lock is for: a projection's name, or an import's id (its commit). */
  readonly name: string;
  /**
   * SQL for the lock's 64-bit key, given an SQL expression for its name (`leaseKeySql`, `rebuildLockKeySql`, an
   * import commit's key).
   */
  readonly keySql: (nameExpression: string) => string;
  /**
   * Shown in `pg_stat_activity` after the pool's application name and before the lock's name: `projection`, `rebuild`,
   * `import-commit`.
   */
  readonly purpose: string;
  /** The error a holder gets once the lock is lost. */
  readonly lostError: (cause?: unknown) => Error;
  /** Called once when the connection fails or ends while the lock is held (not after `release()`). */
  readonly onLost?: () => void;
  readonly keepAlive?: boolean;
}

/**
 * A session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own, keyed by a projection's
 * name: a runner's lease, a rebuild's lock. PostgreSQL releases it when that session ends: the process stops or
 * dies, or the connection is terminated (a server restart, `pg_terminate_backend`, a network cut once TCP notices).
 * So a holder cannot take it for granted: `assertHeld()` throws once this process saw the connection fail, and
 * a transaction that must only commit under the lock ends with `stillHeldSql`, which asks the server, so that a
 * writer whose lock is gone commits nothing, whether or not its process has noticed yet.
 */
export class SessionLock {
  private lostWith: Error | undefined;
  private released = false;

  private constructor(
    readonly client: Client,
    /** The backend process that holds the lock. */
    readonly pid: number,
    private readonly options: SessionLockOptions,
  ) {}

  /** Takes the lock if no other session holds it; `null` otherwise. */
  static async tryAcquire(pool: Pool, options: SessionLockOptions): Promise<SessionLock | null> {
    const client = new Client({
      ...pool.options,
      application_name: `${pool.options.application_name ?? 'zhenggai'}:${options.purpose}:${options.name}`,
      keepAlive: options.keepAlive ?? pool.options.keepAlive,
    });
    let lock: SessionLock | undefined;
    // Before the lock is taken, failures surface through the awaited calls below; after its release, the
    // connection's end is no news.
    const lost = (error?: unknown) => {
      if (!lock || lock.released || lock.lostWith) return;
      lock.lostWith = options.lostError(error);
      options.onLost?.();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      const { rows } = await client.query<{ acquired: boolean; pid: number }>(
        `SELECT pg_try_advisory_lock(${options.keySql('$1')}) AS acquired, pg_backend_pid() AS pid`,
        [options.name],
      );
      if (!rows[0]?.acquired) {
        await client.end().catch(() => undefined);
        return null;
      }
      lock = new SessionLock(client, rows[0].pid, options);
      return lock;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Throws the lock's lost error when its connection has failed. */
  assertHeld(): void {
    if (this.lostWith) throw this.lostWith;
  }

  /**
   * An SQL condition, true while the server still counts the lock as held by its session, for a statement whose
   * `nameParam` is the projection's name and `pidParam` is `pid`.
   */
  stillHeldSql(nameParam: string, pidParam: string): string {
    return `EXISTS (SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND pid = ${pidParam} AND granted AND objsubid = 1
      AND ((classid::bigint << 32) | objid::bigint) = ${this.options.keySql(nameParam)})`;
  }

  /** Throws the lock's lost error unless the server still counts the lock as held (inside a transaction: as of now). */
  async assertStillHeld(db: ClientBase | Pool): Promise<void> {
    this.assertHeld();
    const { rows } = await db.query<{ held: boolean }>(`SELECT ${this.stillHeldSql('$1', '$2')} AS held`, [
      this.options.name,
      this.pid,
    ]);
    if (!rows[0]?.held) throw (this.lostWith ??= this.options.lostError());
  }

  /**
   * The lock is gone: what a holder that finds out by itself (a statement under `stillHeldSql` matched nothing) throws.
   */
  lostError(): Error {
    return (this.lostWith ??= this.options.lostError());
  }

  /** Gives the lock up (ends its session). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.client.end().catch(() => undefined);
  }
}
