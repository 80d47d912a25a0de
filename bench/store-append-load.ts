import { randomUUID } from 'node:crypto';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { createPool, eventStoreMigrations, migrate, PostgresEventStore } from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { closedLoop, timed } from './closed-loop';
import type { StoreSide } from './store-comparison';
import { taskSizedEvent } from './task-sized-event';

/**
 * One side of the store comparison (bench/store-comparison.ts), in its own process: `concurrency` writers, each
 * appending one task-sized event at a time to a stream of its own with the expected version the last append returned,
 * a new stream every EVENTS_PER_STREAM events. Sends its sample to the parent.
 *
 * Each side runs in a process of its own because Emmett's driver (dumbo) sets `pg`'s type parsers for the whole
 * process (bigint and jsonb), which would change how our store's rows are read if both shared one.
 */

/** As the raw loop of the write path: a stream gets three events, then the writer starts a new one. */
const EVENTS_PER_STREAM = 3;

/** One writer's append: to `stream`, with `expected` the version its last append to that stream returned (or none). */
type Append = (stream: string, expected: bigint | null) => Promise<bigint>;

async function ourStore(pool: Pool): Promise<{ append: Append; close: () => Promise<void> }> {
  await migrate(pool, eventStoreMigrations);
  const store = new PostgresEventStore(pool);
  return {
    append: async (stream, expected) => {
      const result = await store.appendToStream(stream, [taskSizedEvent()], {
        expectedRevision: expected === null ? 'no_stream' : Number(expected),
      });
      return BigInt(result.nextExpectedRevision);
    },
    close: () => store.close(),
  };
}

async function emmettStore(url: string, pool: Pool): Promise<{ append: Append; close: () => Promise<void> }> {
  // Emmett on the same kind of pool as ours (same size), rather than dumbo's own (pg's default of 10 connections).
  const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  await store.schema.migrate();
  return {
    append: async (stream, expected) => {
      const result = await store.appendToStream(stream, [taskSizedEvent()], {
        expectedStreamVersion: expected ?? STREAM_DOES_NOT_EXIST,
      });
      return result.nextExpectedStreamVersion;
    },
    close: () => store.close(),
  };
}

async function main(): Promise<void> {
  const [side, url, concurrency, durationMs, warmupMs] = [
    process.argv[2] as StoreSide,
    process.argv[3]!,
    Number(process.argv[4]),
    Number(process.argv[5]),
    Number(process.argv[6]),
  ];
  const pool = createPool(url, { max: concurrency, applicationName: `zhenggai-bench-${side}` });
  const store = side === 'emmett' ? await emmettStore(url, pool) : await ourStore(pool);
  const writers = Array.from({ length: concurrency }, () => ({ stream: '', expected: null as bigint | null, n: 0 }));
  const sample = await closedLoop(concurrency, durationMs, warmupMs, async (worker, record) => {
    const writer = writers[worker]!;
    if (writer.n % EVENTS_PER_STREAM === 0) [writer.stream, writer.expected] = [`benchTask-${randomUUID()}`, null];
    writer.expected = await timed(record, () => store.append(writer.stream, writer.expected));
    writer.n++;
  });
  await store.close();
  await pool.end();
  process.send!(sample, () => process.exit(0));
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
