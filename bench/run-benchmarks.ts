import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { loadConfig, seedDemo, startInfrastructure, Infrastructure } from '@zhenggai/platform';
import { readProjectionStatuses } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { createApiApp } from '../apps/api/src/create-api-app';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { closedLoop, percentile, Sample, timed } from './closed-loop';
import { benchmarkReadSide, benchmarkReadSideCase } from './projection-benchmark';
import { benchmarkReminders } from './reminder-benchmark';
import { taskTreeCase } from './task-tree-benchmark';

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
 * Runs on an embedded PostgreSQL in a temporary folder, or on BENCH_DATABASE_URL (a database it may fill).
 * Targets (2 cores): the HTTP rate at least half the raw rate; p99 under 50 ms.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
/**
 * Raw and HTTP take turns, each round measuring both for DURATION_MS / ROUNDS: on a shared VM whose speed drifts
 * from one minute to the next, each ratio then compares the same minutes.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WARMUP_MS = 2000;
/** The first round warms up longer: the server's code is still being compiled (JIT) in its first seconds. */
const FIRST_WARMUP_MS = 5000;

async function rawStoreRate(infra: Infrastructure, durationMs: number, warmupMs: number): Promise<Sample> {
  const streams = Array.from({ length: CONCURRENCY }, () => ({ name: '', events: 0 }));
  return closedLoop(CONCURRENCY, durationMs, warmupMs, async (worker, record) => {
    const stream = streams[worker];
    if (stream.events % 3 === 0) stream.name = `benchRaw-${randomUUID()}`;
    await timed(record, async () => {
      const events = await infra.eventStore.readStream(stream.name);
      const expected = events.length === 0 ? 'no_stream' : events[events.length - 1].revision;
      await infra.eventStore.appendToStream(
        stream.name,
        [
          {
            type: 'BenchEventAppended',
            data: { n: stream.events, note: '汇报进度' },
            metadata: { actor: { username: 'bench' }, occurredAt: new Date().toISOString() },
          },
        ],
        { expectedRevision: expected },
      );
    });
    stream.events++;
  });
}

/** The HTTP clients run in a child process, as a load generator would, so they do not take the server's CPU. */
async function httpRate(base: string, durationMs: number, warmupMs: number): Promise<Sample> {
  const child = fork(
    join(__dirname, 'http-load.js'),
    [base, String(CONCURRENCY), String(durationMs), String(warmupMs)],
    { stdio: 'inherit' },
  );
  return new Promise<Sample>((resolve, reject) => {
    child.once('message', (sample) => resolve(sample as Sample));
    child.once('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`the load generator exited with ${code}`)),
    );
  });
}

/** Several samples of one side as one. */
function merged(samples: readonly Sample[]): Sample {
  const cpu = samples.map((s) => s.cpuMs);
  return {
    count: samples.reduce((sum, s) => sum + s.count, 0),
    seconds: samples.reduce((sum, s) => sum + s.seconds, 0),
    latencies: samples.flatMap((s) => s.latencies).sort((a, b) => a - b),
    cpuMs: cpu.every((ms) => ms !== null) ? cpu.reduce((sum, ms) => sum! + ms!, 0) : null,
  };
}

const rateOf = (sample: Sample): number => sample.count / sample.seconds;

function report(name: string, sample: Sample): { rate: number; p50: number; p99: number; cpuPerOp: number | null } {
  const rate = rateOf(sample);
  const p50 = percentile(sample.latencies, 50);
  const p99 = percentile(sample.latencies, 99);
  const cpuPerOp = sample.cpuMs === null || sample.count === 0 ? null : sample.cpuMs / sample.count;
  const cpu = cpuPerOp === null ? '' : `   CPU ${cpuPerOp.toFixed(2)} ms/op`;
  console.log(
    `${name.padEnd(44)} ${rate.toFixed(0).padStart(7)} ops/s   p50 ` +
      `${p50.toFixed(1).padStart(6)} ms   p99 ${p99.toFixed(1).padStart(6)} ` +
      `ms${cpu}   (${sample.count} ops)`,
  );
  return { rate, p50, p99, cpuPerOp };
}

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

/** Waits (at most a minute) until every projection has applied everything appended so far. */
async function projectionsCaughtUp(infra: Infrastructure): Promise<void> {
  const names = allProjections.map((projection) => projection.name);
  for (
    const deadline = Date.now() + 60_000;
    Date.now() < deadline;
    await new Promise((resolve) => setTimeout(resolve, 100))
  ) {
    const statuses = await readProjectionStatuses(infra.pool, names, infra.projectionSource);
    if (statuses.length === names.length && statuses.every((status) => status.lag === 0)) return;
  }
  console.log('(the projections had not caught up within a minute; measuring anyway)');
}

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
    const rawSamples: Sample[] = [];
    const httpSamples: Sample[] = [];
    // With the worker in the process, each side starts once the projections have caught up with the other's
    // events, so that neither pays for the other's read models.
    const settled = async () => (layout.worker ? projectionsCaughtUp(infra) : undefined);
    for (let round = 0; round < ROUNDS; round++) {
      const warmupMs = round === 0 ? FIRST_WARMUP_MS : WARMUP_MS;
      if (parts.raw) rawSamples.push(await settled().then(() => rawStoreRate(infra, DURATION_MS / ROUNDS, warmupMs)));
      if (parts.http) httpSamples.push(await settled().then(() => httpRate(base, DURATION_MS / ROUNDS, warmupMs)));
    }
    const raw = rawSamples.length === 0 ? null : report('raw store: read stream + append', merged(rawSamples));
    const http =
      httpSamples.length === 0 ? null : report('HTTP commands: assign + accept + progress', merged(httpSamples));
    if (raw && http) {
      const ratios = httpSamples.map((sample, round) => (rateOf(sample) / rateOf(rawSamples[round]!)).toFixed(2));
      const targets = layout.target
        ? { ratio: 'target ≥ 0.50; ', p99: ' (target < 50 ms)' }
        : { ratio: "for information, the targets are the API process's; ", p99: '' };
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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhenggai-bench-'));
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    REMINDERS: process.env.BENCH_REMINDERS_IN_APP ?? 'on',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, JWT_SECRET: randomUUID() + randomUUID() } : {}),
  });
  const infra = await startInfrastructure(config);
  try {
    await seedDemo(infra);
    console.log(
      `zhenggai benchmark — concurrency ${CONCURRENCY}, ` +
        `${DURATION_MS / 1000} s per side of the write path in ${ROUNDS} ` +
        `alternating rounds, ${databaseUrl ? 'BENCH_DATABASE_URL' : 'embedded PostgreSQL'}\n`,
    );

    const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
    // The task-tree case (`trees`) runs when asked for, by BENCH_ONLY or BENCH_TREES=1: after `read` it would add its
    // tasks to the same store, and it takes minutes of its own.
    const runs = (part: string): boolean =>
      only ? only.includes(part) : part !== 'trees' || process.env.BENCH_TREES === '1';
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
    if (runs('reminders'))
      await benchmarkReminders(
        infra,
        Number(process.env.BENCH_REMINDERS ?? 3000),
        Number(process.env.BENCH_REMINDER_WINDOW ?? 10),
      );
    if (runs('read')) await benchmarkReadSide(infra, infra.databaseUrl, Number(process.env.BENCH_TASKS ?? 100_000));
    if (runs('trees'))
      await benchmarkReadSideCase(
        infra,
        infra.databaseUrl,
        taskTreeCase(Number(process.env.BENCH_TREE_TASKS ?? process.env.BENCH_TASKS ?? 100_000)),
      );
  } finally {
    await infra.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
