import { randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Infrastructure } from '@zhenggai/platform';
import { readProjectionStatuses } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { closedLoop, percentile, Sample, timed } from './closed-loop';

/**
 * The write benchmark's two sides, shared by `npm run bench`'s write path and its notices case:
 * - raw: CONCURRENCY loops of read-stream-then-append on the store, from this process;
 * - HTTP: CONCURRENCY clients (a child process) looping assign + accept + progress, filing a finding every five tasks.
 */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
export const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
/**
 * Raw and HTTP take turns, each round measuring both for DURATION_MS / ROUNDS: on a shared VM whose speed drifts
 * from one minute to the next, each ratio then compares the same minutes.
 */
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
export const WARMUP_MS = 2000;
/** The first round warms up longer: the server's code is still being compiled (JIT) in its first seconds. */
export const FIRST_WARMUP_MS = 5000;

export async function rawStoreRate(infra: Infrastructure, durationMs: number, warmupMs: number): Promise<Sample> {
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
export async function httpRate(base: string, durationMs: number, warmupMs: number): Promise<Sample> {
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
export function merged(samples: readonly Sample[]): Sample {
  const cpu = samples.map((s) => s.cpuMs);
  return {
    count: samples.reduce((sum, s) => sum + s.count, 0),
    seconds: samples.reduce((sum, s) => sum + s.seconds, 0),
    latencies: samples.flatMap((s) => s.latencies).sort((a, b) => a - b),
    cpuMs: cpu.every((ms) => ms !== null) ? cpu.reduce((sum, ms) => sum! + ms!, 0) : null,
  };
}

export const rateOf = (sample: Sample): number => sample.count / sample.seconds;

export function report(
  name: string,
  sample: Sample,
): { rate: number; p50: number; p99: number; cpuPerOp: number | null } {
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

/** Waits (at most a minute) until every projection has applied everything appended so far. */
export async function projectionsCaughtUp(infra: Infrastructure): Promise<void> {
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

/**
 * Raw and HTTP taking turns for ROUNDS rounds (the first warming up longer), each side starting once `settled`
 * resolves, so that neither pays for what the other left behind.
 */
export async function alternatingRounds(
  infra: Infrastructure,
  base: string,
  parts: { raw: boolean; http: boolean },
  settled: () => Promise<void>,
): Promise<{ raw: Sample[]; http: Sample[] }> {
  const raw: Sample[] = [];
  const http: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const warmupMs = round === 0 ? FIRST_WARMUP_MS : WARMUP_MS;
    if (parts.raw) raw.push(await settled().then(() => rawStoreRate(infra, DURATION_MS / ROUNDS, warmupMs)));
    if (parts.http) http.push(await settled().then(() => httpRate(base, DURATION_MS / ROUNDS, warmupMs)));
  }
  return { raw, http };
}

/** The HTTP rate over the raw rate, overall and round by round (rounds paired in order). */
export function ratioOf(raw: readonly Sample[], http: readonly Sample[]): { overall: number; rounds: number[] } {
  return {
    overall: rateOf(merged(http)) / rateOf(merged(raw)),
    rounds: http.map((sample, round) => rateOf(sample) / rateOf(raw[round]!)),
  };
}
