import 'reflect-metadata';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig, seedDemo, seedDemoIfEmpty, startInfrastructure, Infrastructure } from '@zhenggai/platform';
import { removeDataFolder } from '@zhenggai/postgres';
import { createApiApp } from '../apps/api/src/create-api-app';
import { benchmarkApiInstructions } from './api-instructions';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { benchmarkExports } from './export-benchmark';
import { benchmarkImport } from './import-benchmark';
import { machineLoad } from './machine-load';
import { benchmarkNotices } from './notice-benchmark';
import { benchmarkReadSide, benchmarkReadSideCase, benchmarkStoreViews } from './projection-benchmark';
import { benchmarkSplitWorkers } from './split-workers-benchmark';
import { benchmarkReminders } from './reminder-benchmark';
import { benchmarkStoreComparison } from './store-comparison';
import { taskTreeCase } from './task-tree-benchmark';
import {
  alternatingRounds,
  CONCURRENCY,
  DURATION_MS,
  merged,
  projectionsCaughtUp,
  ratioOf,
  report,
  ROUNDS,
} from './write-path';

/**
 * `npm run bench`: the write path's throughput and latency over HTTP, next to the raw rate of the store it sits on.
 *
 * - HTTP: 16 concurrent clients, each looping assign (POST /api/findings/:id/tasks) + accept + progress, filing
 *   a new finding every five tasks (counted too).
 * - Raw: 16 concurrent loops of read-stream-then-append on the same store, from the same process.
 * - The two take turns (BENCH_ROUNDS rounds, 3 by default), so that their ratio compares the same minutes.
 * - Both are measured against the API process alone and against the all-in-one (BENCH_PROCESSES, both by
 *   default): the target is the write path's, the API process's; the all-in-one's figure shows what running the
 *   worker on the same cores costs.
 *
 * - Notices (BENCH_ONLY=notices or BENCH_NOTICES=1, issue 19): the same load on the all-in-one with hand-over notices
 *   going to a local webhook, on Redis and on PostgreSQL (bench/notice-benchmark.ts).
 * - 问题清单 import (BENCH_ONLY=imports or BENCH_IMPORTS=1, issue 21): a file of BENCH_IMPORT_ROWS rows (2,000)
 *   previewed and committed on the API process (bench/import-benchmark.ts).
 * - 整改台账 exports (BENCH_ONLY=exports or BENCH_EXPORTS=1, issue 22): BENCH_TASKS tasks (20,000) written in bulk, then
 *   the built all-in-one's XLSX and CSV exports of them, timed, with its memory growth (bench/export-benchmark.ts).
 * - Event stores side by side (BENCH_ONLY=emmett or BENCH_EMMETT=1, issue 22): our PostgreSQL store's appends against
 *   Emmett's PostgreSQL event store's, each in a database of its own on the same server (bench/store-comparison.ts).
 *
 * - Projections shared by two workers (BENCH_ONLY=split, issue 22): BENCH_TASKS tasks (100,000) caught up by one
 *   worker, then by two preferring different projections (bench/split-workers-benchmark.ts).
 * - Instructions per HTTP command (BENCH_ONLY=instructions, issue 22): the write path's commands against the API
 *   process under valgrind's callgrind, counted once warmed up: a cost that hardly depends on the machine's speed, to
 *   compare two builds by (bench/api-instructions.ts).
 * - Views on a store as it is (BENCH_ONLY=views, with BENCH_DATABASE_URL, issue 22): the read case's queries timed on
 *   the store a `read` run left there, by the build at hand (bench/projection-benchmark.ts).
 *
 * Runs on an embedded PostgreSQL in a temporary folder, or on BENCH_DATABASE_URL (a database it may fill).
 * Targets (2 cores, issue 22): the HTTP rate at least 0.7 of the raw rate in the API process and 0.5 in the all-in-one;
 * p99 under 50 ms.
 */
/**
 * The two ways the engine runs. `api`: the API process alone, as deployed (the worker is a process of its own);
 * its commands and the raw loop cost the store the same kind of work. `all-in-one`: `npm start`, the worker's
 * projections, reactions and reminders in the same process on the same cores, so each command's events are
 * also written into three read models there (the raw loop's events are not).
 */
const PROCESSES = {
  api: {
    title: 'the API process (apps/api, as deployed; no worker runs during this part)',
    worker: false,
    target: true,
  },
  'all-in-one': {
    title: "the all-in-one (npm start: the worker in the same process, projecting each command's events)",
    worker: true,
    target: false,
  },
} as const;
type ProcessName = keyof typeof PROCESSES;

/** Raw and HTTP in alternating rounds against one process layout; prints both and their ratio. */
async function benchmarkWritePath(
  infra: Infrastructure,
  name: ProcessName,
  parts: { raw: boolean; http: boolean },
): Promise<void> {
  const layout = PROCESSES[name];
  const app = await createApiApp(infra, {
    imports: layout.worker ? [WorkerModule.register(infra)] : [],
    logger: ['error'],
  });
  try {
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    console.log(`Write path, ${layout.title}:`);
    // With the worker in the process, each side starts once the projections have caught up with the other's
    // events, so that neither pays for the other's read models.
    const settled = async () => (layout.worker ? projectionsCaughtUp(infra) : undefined);
    const load = await machineLoad();
    const { raw: rawSamples, http: httpSamples } = await alternatingRounds(infra, base, parts, settled);
    console.log(`machine load: ${load.describe(true)}`);
    const raw = rawSamples.length === 0 ? null : report('raw store: read stream + append', merged(rawSamples));
    const http =
      httpSamples.length === 0 ? null : report('HTTP commands: assign + accept + progress', merged(httpSamples));
    if (raw && http) {
      const ratios = ratioOf(rawSamples, httpSamples).rounds.map((ratio) => ratio.toFixed(2));
      const targets = layout.target
        ? { ratio: 'target ≥ 0.70; ', p99: ' (target < 50 ms)' }
        : { ratio: 'target ≥ 0.50; ', p99: '' };
      console.log(
        `HTTP rate / raw rate: ${(http.rate / raw.rate).toFixed(2)} ` +
          `(${targets.ratio}round by round ${ratios.join(', ')})   HTTP p99: ` +
          `${http.p99.toFixed(1)} ms${targets.p99}`,
      );
      // Machine CPU per operation moves less than the rates on a shared VM whose speed drifts between runs.
      if (raw.cpuPerOp !== null && http.cpuPerOp !== null)
        console.log(
          'raw CPU per op / HTTP CPU per command: ' +
            `${(raw.cpuPerOp / http.cpuPerOp).toFixed(2)} (the same ratio, from ` +
            `the whole machine's CPU time)`,
        );
    }
    console.log('');
    await settled();
  } finally {
    await app.close();
  }
}

/**
 * BENCH_TASKS: one count of tasks, or several separated by commas (the read case runs at each, side by side; the
 * other cases take the first).
 */
function taskCounts(fallback: number): number[] {
  const text = process.env.BENCH_TASKS;
  if (text === undefined || text.trim() === '') return [fallback];
  const counts = text.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (counts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(
      `BENCH_TASKS: "${text}" is not a count of tasks, or several separated by commas (e.g. 100000,1000000)`,
    );
  return counts;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhenggai-bench-'));
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    REMINDERS: process.env.BENCH_REMINDERS_IN_APP ?? 'on',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, JWT_SECRET: randomUUID() + randomUUID() } : {}),
    ...(process.env.DATABASE_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE } : {}),
  });
  const infra = await startInfrastructure(config);
  // Once, whether the run ends or a signal stops it (then both ask): the data folder with its cluster, which is kept
  // in /var/lib/zhenggai when run as root from a folder PostgreSQL cannot enter.
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await infra.close();
      await removeDataFolder(dataDir);
    })());
  closedOnSignal(close);
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
  try {
    // The views alone are measured on a store a run left: seeded already.
    if (only?.join() === 'views') await seedDemoIfEmpty(infra);
    else await seedDemo(infra);
    console.log(
      `zhenggai benchmark — concurrency ${CONCURRENCY}, ` +
        `${DURATION_MS / 1000} s per side of the write path in ${ROUNDS} ` +
        `alternating rounds, ${databaseUrl ? 'BENCH_DATABASE_URL' : 'embedded PostgreSQL'}\n`,
    );

    // The task-tree case (`trees`) runs when asked for, by BENCH_ONLY or BENCH_TREES=1: after `read` it would add its
    // tasks to the same store, and it takes minutes of its own.
    // So does the notices case (`notices`, or BENCH_NOTICES=1): it runs the write load twice more per queue backend.
    const runs = (part: string): boolean =>
      only
        ? only.includes(part)
        : (part !== 'trees' || process.env.BENCH_TREES === '1') &&
          (part !== 'notices' || process.env.BENCH_NOTICES === '1') &&
          (part !== 'imports' || process.env.BENCH_IMPORTS === '1') &&
          // The exports case too: its all-in-one catches up with its 20,000 tasks first, which takes minutes.
          (part !== 'exports' || process.env.BENCH_EXPORTS === '1') &&
          (part !== 'emmett' || process.env.BENCH_EMMETT === '1');
    const processes = (process.env.BENCH_PROCESSES ?? 'api,all-in-one').split(',').map((name) => name.trim());
    for (const name of processes) {
      if (!(name in PROCESSES))
        throw new Error(`BENCH_PROCESSES: unknown process "${name}" (use ${Object.keys(PROCESSES).join(', ')})`);
    }
    // The API process first: the all-in-one then starts once its projections have caught up with what the API
    // process wrote, and leaves them caught up for the parts after it.
    for (const name of (['api', 'all-in-one'] as const).filter((n) => processes.includes(n))) {
      if (runs('raw') || runs('http')) await benchmarkWritePath(infra, name, { raw: runs('raw'), http: runs('http') });
    }
    if (runs('emmett')) await benchmarkStoreComparison(infra.databaseUrl);
    if (runs('notices')) await benchmarkNotices(infra);
    if (runs('imports')) await benchmarkImport(infra, Number(process.env.BENCH_IMPORT_ROWS ?? 2000));
    if (runs('reminders'))
      await benchmarkReminders(
        infra,
        Number(process.env.BENCH_REMINDERS ?? 3000),
        Number(process.env.BENCH_REMINDER_WINDOW ?? 10),
      );
    if (runs('exports')) await benchmarkExports(infra, infra.databaseUrl, taskCounts(20_000)[0]);
    if (runs('read')) await benchmarkReadSide(infra, infra.databaseUrl, taskCounts(100_000));
    if (only?.includes('views')) await benchmarkStoreViews(infra, infra.databaseUrl);
    if (only?.includes('instructions')) await benchmarkApiInstructions(infra.databaseUrl);
    if (only?.includes('split')) await benchmarkSplitWorkers(infra, infra.databaseUrl, taskCounts(100_000)[0]);
    if (runs('trees'))
      await benchmarkReadSideCase(
        infra,
        infra.databaseUrl,
        taskTreeCase(Number(process.env.BENCH_TREE_TASKS ?? taskCounts(100_000)[0])),
      );
  } finally {
    await close();
  }
}

/**
 * A run stopped by Ctrl-C or `kill` ends the processes it started (an all-in-one, load generators) and closes its
 * embedded PostgreSQL and data folder as a finished run does: stopped that way, it had left its PostgreSQL running. A
 * second signal ends it at once.
 */
function closedOnSignal(close: () => Promise<void>): void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    stoppedBySignal = true;
    console.error(`\nbenchmark: ${signal}, closing…`);
    for (const pid of nodeChildrenOf(process.pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    void close()
      .catch((error: unknown) => console.error('benchmark: while closing', error))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
}

/**
 * The Node processes whose parent is `pid` (from /proc: the benchmark runs on Linux); not the embedded PostgreSQL,
 * which `close` stops.
 */
function nodeChildrenOf(pid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === pid && name === 'node' ? [Number(entry)] : [];
    } catch {
      return []; // ended meanwhile
    }
  });
}

/** Stopped by a signal: what fails in the run meanwhile (its pool closed under it) is not its error. */
let stoppedBySignal = false;

if (require.main === module)
  main().catch((error) => {
    if (stoppedBySignal) return;
    console.error(error);
    process.exit(1);
  });
