import { Pool } from 'pg';

export interface CreatePoolOptions {
  /** Most connections open at once; default 10. */
  readonly max?: number;
  /** Shown in `pg_stat_activity`; default `zhenggai`. */
  readonly applicationName?: string;
  /**
   * An idle pooled connection failed (the server restarted, a network cut); the pool has already dropped it.
   * Default: ignored, the next query opens a new connection.
   */
  readonly onIdleClientError?: (error: Error) => void;
}

/**
 * A `pg` pool for one database URL, with `error` listeners so that a dropped connection, idle or in use, cannot crash
 * the process.
 */
export function createPool(url: string, options: CreatePoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 10,
    // PGAPPNAME names a process's sessions (e.g. two workers told apart in pg_stat_activity).
    application_name: options.applicationName ?? process.env.PGAPPNAME ?? 'zhenggai',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', options.onIdleClientError ?? (() => undefined));
  // A connection checked out of the pool (a transaction between two of its queries) that breaks emits 'error'
  // too, which with no listener would end the process when PostgreSQL restarts. The next query on it fails and
  // says so; the pool drops it when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
