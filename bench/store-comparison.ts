import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { percentile, Sample } from './closed-loop';
import { taskSizedEvent } from './task-sized-event';
import { CONCURRENCY, merged, rateOf, report, ROUNDS } from './write-path';

/**
 * Our PostgreSQL event store against Emmett's (`@event-driven-io/emmett-postgresql`), side by side (issue 22, point 4;
 * `BENCH_ONLY=emmett` or `BENCH_EMMETT=1`): the same append load on each, in a database of its own on the same server,
 * taking turns for ROUNDS rounds of BENCH_SECONDS per side (bench/store-append-load.ts, one process per turn).
 *
 * Appending two streams in one command is left out: neither store appends to two streams in one call (each append
 * is one stream's transaction), so the variant would measure two appends, which the single-stream figure already does.
 */
export type StoreSide = 'zhenggai' | 'emmett';

const SIDES: Record<StoreSide, { database: string; title: string }> = {
  zhenggai: { database: 'zhenggai_bench_store', title: 'ours (PostgresEventStore)' },
  emmett: { database: 'zhenggai_bench_emmett', title: 'Emmett (getPostgreSQLEventStore)' },
};

const SECONDS_PER_TURN = Number(process.env.BENCH_SECONDS ?? 15);
/** Each turn is a new process: its pool connects and its code is compiled (JIT) in these seconds, not measured. */
const WARMUP_MS = 3000;

const load = (): string =>
  loadavg()
    .map((average) => average.toFixed(2))
    .join(' ');

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `statements` on the server's database at `serverUrl`, one after the other. */
async function onServer(serverUrl: string, statements: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

function turn(side: StoreSide, url: string, warmupMs: number): Promise<Sample> {
  const child = fork(
    join(__dirname, 'store-append-load.js'),
    [side, url, String(CONCURRENCY), String(SECONDS_PER_TURN * 1000), String(warmupMs)],
    { stdio: 'inherit' },
  );
  return new Promise<Sample>((resolve, reject) => {
    child.once('message', (sample) => resolve(sample as Sample));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the ${side} side exited with ${code}`))));
  });
}

const figures = (sample: Sample): string =>
  `${rateOf(sample).toFixed(0)} appends/s, p50 ${percentile(sample.latencies, 50).toFixed(1)} ms, ` +
  `p99 ${percentile(sample.latencies, 99).toFixed(1)} ms`;

export async function benchmarkStoreComparison(serverUrl: string): Promise<void> {
  const sides = Object.keys(SIDES) as StoreSide[];
  const drop = sides.map((side) => `DROP DATABASE IF EXISTS ${SIDES[side].database}`);
  await onServer(serverUrl, [...drop, ...sides.map((side) => `CREATE DATABASE ${SIDES[side].database}`)]);
  const event = taskSizedEvent();
  const bytes = (json: unknown) => Buffer.byteLength(JSON.stringify(json));
  console.log(
    `Event stores side by side: ${CONCURRENCY} writers, each appending one ${event.type} ` +
      `(${bytes(event.data)} + ${bytes(event.metadata)} bytes of data + metadata JSON) with its expected version, ` +
      `a new stream every three; ${SECONDS_PER_TURN} s per side ` +
      `in each of ${ROUNDS} rounds, each store in its own database on the same server; load average ${load()}`,
  );
  const samples: Record<StoreSide, Sample[]> = { zhenggai: [], emmett: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Who goes first alternates, so that a drift of the machine's speed favours neither.
      for (const side of round % 2 === 0 ? sides : [...sides].reverse())
        samples[side].push(await turn(side, databaseUrl(serverUrl, SIDES[side].database), WARMUP_MS));
      const [ours, emmett] = [samples.zhenggai[round]!, samples.emmett[round]!];
      console.log(
        `round ${round + 1}: ours ${figures(ours)} | Emmett ${figures(emmett)} | ours / Emmett ` +
          `${(rateOf(ours) / rateOf(emmett)).toFixed(2)}   (load average ${load()})`,
      );
    }
    const ours = report(SIDES.zhenggai.title, merged(samples.zhenggai));
    const emmett = report(SIDES.emmett.title, merged(samples.emmett));
    const rounds = samples.zhenggai.map((sample, round) =>
      (rateOf(sample) / rateOf(samples.emmett[round]!)).toFixed(2),
    );
    console.log(
      `ours / Emmett: ${(ours.rate / emmett.rate).toFixed(2)} (round by round ${rounds.join(', ')}); ` +
        `load average ${load()}\n`,
    );
  } finally {
    await onServer(serverUrl, drop);
  }
}
