import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * The machine's load while a run goes: how busy its CPUs were in the seconds before it (what else the machine was
 * doing: the benchmark itself is idle then), and the 1-minute load average sampled while it runs.
 */
export async function machineLoad() {
  const busy = () => {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = ticks[3] + ticks[4];
    return { idle, total: ticks.reduce((a, b) => a + b, 0) };
  };
  const a = busy();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const b = busy();
  const before = 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
  const samples: number[] = [loadavg()[0]];
  const timer = setInterval(() => samples.push(loadavg()[0]), 5_000);
  timer.unref();
  return {
    /** The figure for the run so far, and (`stop`) the sampling ended. */
    describe(stop = false) {
      if (stop) clearInterval(timer);
      const mean = samples.reduce((x, y) => x + y, 0) / samples.length;
      const max = Math.max(...samples);
      return `${(before * 100).toFixed(0)} % busy before, load ${mean.toFixed(1)} (max ${max.toFixed(1)})`;
    },
  };
}
