import { readFileSync } from 'node:fs';

/** A closed-loop load: `concurrency` loops, each starting its next iteration when the last one ends. */
export interface Sample {
  readonly count: number;
  readonly seconds: number;
  readonly latencies: number[];
  /** The whole machine's busy CPU time over the measured window, in ms (Linux; null elsewhere). */
  readonly cpuMs: number | null;
}

/**
 * Busy CPU time of the whole machine so far (every core, every process; steal left out), in ms; null where /proc/stat
 * is missing.
 */
export function machineBusyMs(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // Steal (time the hypervisor gave another guest while this one wanted to run) is not work done here: on a
    // shared VM it comes and goes with the neighbours.
    const [user, nice, system, , , irq, softirq] = fields;
    return ((user + nice + system + irq + softirq) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

// Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture Node runs on.
const USER_HZ = 100;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function closedLoop(
  concurrency: number,
  durationMs: number,
  warmupMs: number,
  iteration: (worker: number, record: (ms: number) => void) => Promise<void>,
): Promise<Sample> {
  const latencies: number[] = [];
  let count = 0;
  let measuring = false;
  const record = (ms: number) => {
    if (!measuring) return;
    latencies.push(ms);
    count++;
  };
  let running = true;
  const workers = Array.from({ length: concurrency }, async (_, worker) => {
    while (running) await iteration(worker, record);
  });
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const started = process.hrtime.bigint();
  const busyBefore = machineBusyMs();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const busyAfter = machineBusyMs();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  running = false;
  await Promise.all(workers);
  return {
    count,
    seconds,
    latencies: latencies.sort((a, b) => a - b),
    cpuMs: busyBefore === null || busyAfter === null ? null : busyAfter - busyBefore,
  };
}

export async function timed<T>(record: (ms: number) => void, action: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await action();
  record(Number(process.hrtime.bigint() - start) / 1e6);
  return result;
}
