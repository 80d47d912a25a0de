import 'reflect-metadata';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { rebuildProjection } from '@zhenggai/postgres';
import { tasksProjection } from '@zhenggai/read-models';
import { serverCpu } from './machine-load';
import { taskTreeCase } from './task-tree-benchmark';

/**
 * The `tasks` projection from scratch, alone, on the task-tree case (issue 18), without the rest of that case: the
 * store is written once into BENCH_DATA_DIR's embedded PostgreSQL (BENCH_TREE_TASKS or BENCH_TASKS tasks, 24,000 by
 * default) and kept there, so that two builds of the projection can take turns on the same events. Each run rebuilds
 * the projection BENCH_ROUNDS times (3) and prints, per rebuild, its events/s, the CPU Node and PostgreSQL each spent
 * per 1,000 events and the machine's load average (its cores are shared: compare builds by turns, not by one run).
 *
 *   node dist/bench/tasks-rebuild-benchmark.js            (BENCH_DATA_DIR required)
 */
async function main(): Promise<void> {
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!dataDir) throw new Error('BENCH_DATA_DIR: the folder whose embedded PostgreSQL keeps the store between runs');
  const tasks = Number(process.env.BENCH_TREE_TASKS ?? process.env.BENCH_TASKS ?? 24_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const batchSize = process.env.BENCH_BATCH_SIZE ? Number(process.env.BENCH_BATCH_SIZE) : undefined;
  const fresh = !existsSync(join(dataDir, 'postgres'));
  mkdirSync(dataDir, { recursive: true });
  const infra = await startInfrastructure(loadConfig({ PORT: '0', DATA_DIR: dataDir, REMINDERS: 'off' }));
  try {
    if (fresh) {
      await seedDemo(infra);
      const { events } = await taskTreeCase(tasks).write(infra);
      console.log(`store written: ${events.toLocaleString()} events`);
      await infra.pool.query('VACUUM ANALYZE');
    }
    const statements = process.env.BENCH_STATEMENTS === '1' ? timeStatements() : null;
    const label = process.env.BENCH_LABEL ?? 'this build';
    const server = await serverCpu(infra.pool);
    for (let round = 0; round < rounds; round++) {
      const load = loadavg()[0].toFixed(2);
      const cpu = process.cpuUsage();
      const serverBefore = server();
      const walBefore = await walState(infra.pool);
      const start = process.hrtime.bigint();
      const result = await rebuildProjection({ pool: infra.pool, projection: tasksProjection, batchSize });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu);
      const nodeMs = (used.user + used.system) / 1000;
      const serverMs = server() - serverBefore;
      const walAfter = await walState(infra.pool);
      console.log(
        `${label}: tasks from scratch, alone: ${(result.events / seconds).toFixed(0)} events/s ` +
          `(${result.events.toLocaleString()} events, ${seconds.toFixed(1)} s; Node CPU ` +
          `${((nodeMs / result.events) * 1000).toFixed(0)}, PostgreSQL CPU ` +
          `${((serverMs / result.events) * 1000).toFixed(0)} ms per 1,000 events; WAL ` +
          `${((((walAfter.bytes - walBefore.bytes) / result.events) * 1000) / 1e6).toFixed(1)} MB per 1,000 events, ` +
          `${walAfter.checkpoints - walBefore.checkpoints} checkpoints; load average ${load} → ` +
          `${loadavg()[0].toFixed(2)})`,
      );
      statements?.print(result.events);
    }
  } finally {
    await infra.close();
  }
}

/** The WAL written so far (bytes) and the checkpoints made, for what a rebuild costs the server's log. */
async function walState(pool: Pool): Promise<{ bytes: number; checkpoints: number }> {
  // PostgreSQL 17 moved the checkpoints' counts from pg_stat_bgwriter to pg_stat_checkpointer.
  const newer = (await pool.query(`SELECT to_regclass('pg_catalog.pg_stat_checkpointer') IS NOT NULL AS yes`)).rows[0]
    .yes as boolean;
  const { rows } = await pool.query<{ bytes: string; checkpoints: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS bytes, (${
      newer
        ? 'SELECT num_timed + num_requested FROM pg_stat_checkpointer'
        : 'SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter'
    }) AS checkpoints`,
  );
  return { bytes: Number(rows[0]!.bytes), checkpoints: Number(rows[0]!.checkpoints) };
}

/**
 * With BENCH_STATEMENTS=1: the time from sending each statement to its answer, summed by the statement's first
 * words, printed per 1,000 events after each rebuild (the time PostgreSQL took, plus the trip and the parsing of the
 * answer in Node).
 */
function timeStatements(): { print(events: number): void } {
  const spent = new Map<string, { ms: number; n: number }>();
  const query = Client.prototype.query as (...args: unknown[]) => unknown;
  const count = (text: string, start: bigint) => {
    const s = spent.get(text) ?? { ms: 0, n: 0 };
    s.ms += Number(process.hrtime.bigint() - start) / 1e6;
    s.n++;
    spent.set(text, s);
  };
  (Client.prototype as unknown as { query: unknown }).query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string; on?: (event: string, listener: () => void) => void };
    const text = (typeof first === 'string' ? first : first.text).replace(/\s+/g, ' ').trim().slice(0, 70);
    const start = process.hrtime.bigint();
    const last = args.length - 1;
    // A pool's query answers through a callback; a COPY is a stream, done when it finishes.
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...answer: unknown[]) => void;
      args[last] = (...answer: unknown[]) => {
        count(text, start);
        callback(...answer);
      };
    } else if (typeof first !== 'string' && typeof first.on === 'function')
      first.on('finish', () => count(text, start));
    const answer = query.apply(this, args);
    if (answer instanceof Promise) void answer.finally(() => count(text, start)).catch(() => undefined);
    return answer;
  };
  return {
    print(events) {
      const sorted = [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16);
      for (const [text, s] of sorted)
        console.log(`  ${((s.ms / events) * 1000).toFixed(0).padStart(6)} ms/1,000 events  ×${s.n}  ${text}`);
      spent.clear();
    },
  };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
