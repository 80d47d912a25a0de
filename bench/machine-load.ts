import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';
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

/**
 * A process's command name and the fields of /proc/<pid>/stat after it (state, ppid, …; utime, stime, cutime and
 * cstime are the 12th to 15th, in ticks of 1/100 s, 100 a second on every architecture Node runs on).
 */
function processStat(pid: number | string): { command: string; fields: string[] } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    fields: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
  };
}

/** A process's command name and CPU time so far (user and system, in ms), from /proc; null once it is gone. */
export function processCpuMs(pid: number | string): { command: string; ms: number } | null {
  try {
    const { command, fields } = processStat(pid);
    return { command, ms: (+fields[11]! + +fields[12]!) * 10 };
  } catch {
    return null;
  }
}

/**
 * The CPU time (ms) the PostgreSQL server of `pool` has used so far (Linux, a server on this machine): its
 * postmaster's, with that of its children ended, and its running children's.
 */
export async function serverCpu(pool: Pool): Promise<() => number> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const fields = (pid: number | string) => processStat(pid).fields;
  const postmaster = Number(fields(rows[0]!.pid)[1]);
  const ticks = (f: string[], withChildren: boolean) =>
    Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  return () => {
    let total = ticks(fields(postmaster), true);
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const f = fields(pid);
        if (Number(f[1]) === postmaster) total += ticks(f, false);
      } catch {
        // ended meanwhile
      }
    }
    return total * 10; // 100 ticks a second
  };
}
