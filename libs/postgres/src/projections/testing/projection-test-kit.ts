// Shared by the projection runner's integration tests: a database with the store and the runner's tables,
// events to count, and reads of what the counting projection serves.
import type { EventStore, StoredEvent } from '@zhenggai/application';
import type { Pool } from 'pg';
import { createPool } from '../../pool/create-pool';
import { eventStoreMigrations } from '../../event-store/event-store.migrations';
import { PostgresEventStore } from '../../event-store/postgres-event-store';
import { migrate } from '../../migrations/migrate';
import { projectionMigrations } from '../projection.migrations';
import { COUNTED, type CountRow } from './counting.projection';

export interface ProjectionTestDatabase {
  readonly store: PostgresEventStore;
  /** A new pool on the database (closed by `close`), its connections named `applicationName` in `pg_stat_activity`. */
  pool(max?: number, applicationName?: string): Pool;
  /** Idempotent. */
  close(): Promise<void>;
}

export async function openProjectionTestDatabase(url: string): Promise<ProjectionTestDatabase> {
  const pools: Pool[] = [];
  const pool = (max = 5, applicationName?: string) => {
    const opened = createPool(url, { max, applicationName });
    pools.push(opened);
    return opened;
  };
  const main = pool();
  await migrate(main, [...eventStoreMigrations, ...projectionMigrations]);
  const store = new PostgresEventStore(main);
  let closing: Promise<void> | undefined;
  return {
    store,
    pool,
    close: () =>
      (closing ??= (async () => {
        await store.close();
        await Promise.all(pools.map((opened) => opened.end()));
      })()),
  };
}

/**
 * Appends `count` events over `streams` streams (`<prefix>-<n>`), one append each: every `otherEvery`-th is
 * of a type the counting projection does not take. Amounts vary so that sums tell events apart.
 */
export async function appendEvents(
  store: EventStore,
  count: number,
  options: { streams?: number; otherEvery?: number; prefix?: string } = {},
): Promise<void> {
  const streams = options.streams ?? 10;
  for (let i = 0; i < count; i++) {
    const other = options.otherEvery !== undefined && i % options.otherEvery === options.otherEvery - 1;
    await store.appendToStream(`${options.prefix ?? 'counter'}-${i % streams}`, [
      { type: other ? 'Other' : COUNTED, data: { amount: (i % 7) + 1 }, metadata: {} },
    ]);
  }
}

/** Appends in batches of 50 per statement, for volume. */
export async function appendManyEvents(store: EventStore, count: number, streams = 20): Promise<void> {
  for (let done = 0; done < count; done += 50) {
    const size = Math.min(50, count - done);
    await store.appendToStream(
      `bulk-${done % streams}`,
      Array.from({ length: size }, (_, i) => ({
        type: (done + i) % 5 === 4 ? 'Other' : COUNTED,
        data: { amount: ((done + i) % 7) + 1 },
        metadata: {},
      })),
    );
  }
}

export async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  return store.readAll();
}

/** What the counting projection's view serves, and which generation's schema served it. */
export async function readCounts(
  pool: Pool,
  projectionName: string,
): Promise<{ rows: CountRow[]; servedBy: string[] }> {
  const { rows } = await pool.query<CountRow & { served_by: string }>(
    `SELECT stream_name, events, total::integer AS total, served_by FROM read_models."${projectionName}_counts"
     ORDER BY stream_name COLLATE "C"`,
  );
  return {
    rows: rows.map(({ stream_name, events, total }) => ({ stream_name, events, total })),
    servedBy: [...new Set(rows.map((row) => row.served_by))],
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Whether the schema has the index (as committed: what another connection sees). */
export async function hasIndex(pool: Pool, schema: string, index: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
    schema,
    index,
  ]);
  return rowCount === 1;
}

/**
 * Waits until the runner (or one of the runners) has applied every event appended so far: appends that
 * returned are committed, so the store's last position is the target.
 */
export async function waitUntilCaughtUp(
  runners: RunnerLike | readonly RunnerLike[],
  pool: Pool,
  timeoutMs?: number,
): Promise<void> {
  const { rows } = await pool.query<{ head: string }>('SELECT coalesce(max(global_position), 0) AS head FROM events');
  const head = BigInt(rows[0]!.head);
  const candidates = Array.isArray(runners) ? runners : [runners as RunnerLike];
  await waitFor(
    () => candidates.some((runner) => runner.status().phase === 'live' && runner.status().position >= head),
    timeoutMs,
  );
}

interface RunnerLike {
  status(): { readonly position: bigint; readonly phase: string };
}
