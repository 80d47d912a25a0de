import { loadavg } from 'node:os';
import { Infrastructure } from '@zhenggai/platform';
import { serverCpu } from './machine-load';
import { eventsBehind, startAllInOne, waitUntilQuiet, writeDemoTasks } from './projection-benchmark';

const TARGET_SECONDS = 3;
const TARGET_GROWTH_MB = 50;

/**
 * 整改台账 exports (BENCH_ONLY=exports or BENCH_EXPORTS=1, issue 22): `tasks` tasks written in bulk, then the built
 * all-in-one (as `npm start` runs it) caught up with them, asked for their ledger (the tasks titled 基准任务) as one
 * XLSX, one CSV and four XLSX at once. Each line: the time until every byte has arrived, how far the process's
 * resident memory rose above what it was before (its peak during the exports, sampled every 20 ms), and the CPU time
 * the all-in-one and PostgreSQL spent meanwhile (on this machine's two cores, what the time can be told apart by: a run
 * slower for the same CPU shared the machine with something else).
 * Targets: under 3 s; under 50 MB of growth.
 */
export async function benchmarkExports(infra: Infrastructure, databaseUrl: string, tasks: number): Promise<void> {
  const { events } = await writeDemoTasks(infra, tasks);
  const behind = await eventsBehind(infra);
  const app = await startAllInOne(databaseUrl);
  try {
    await app.waitUntilCaughtUp(behind);
    // The reminders owed by the overdue third of the tasks are fired before anything is measured.
    await waitUntilQuiet(infra, 5_000, 300_000);
    await infra.pool.query('ANALYZE');
    const postgresCpuMs = await serverCpu(infra.pool);
    const token = await app.login('leader');
    const query = `q=${encodeURIComponent('基准任务')}`;
    const listed = await fetch(`${app.url}/api/tasks?${query}&pageSize=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const total = ((await listed.json()) as { total: number }).total;
    const [one, five, fifteen] = loadavg().map((load) => load.toFixed(2));
    console.log(
      `\n整改台账 exports — ${total.toLocaleString()} tasks a file (${events.toLocaleString()} events written in ` +
        `bulk), the all-in-one at ${app.rssMb()} MB; load average ${one} ${five} ${fifteen}\n`,
    );
    const download = async (format: 'xlsx' | 'csv') => {
      const answer = await fetch(`${app.url}/api/tasks/export?format=${format}&${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = Buffer.from(await answer.arrayBuffer());
      if (answer.status !== 200) throw new Error(`export ${format}: ${answer.status} ${body.toString()}`);
      // A CSV has a line a task after its header: the whole list came.
      if (format === 'csv' && body.toString('utf8').trim().split('\r\n').length !== total + 1)
        throw new Error('export csv: not one line a task');
      return body.length;
    };
    for (const [name, formats] of [
      ['one XLSX', ['xlsx']],
      ['one CSV', ['csv']],
      ['four XLSX at once', ['xlsx', 'xlsx', 'xlsx', 'xlsx']],
    ] as const) {
      const before = app.rssMb();
      const cpuBefore = [app.cpuMs(), postgresCpuMs()];
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, app.rssMb())), 20);
      const start = process.hrtime.bigint();
      const sizes = await Promise.all(formats.map(download)).finally(() => clearInterval(sampler));
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      peak = Math.max(peak, app.rssMb());
      const [appCpu, postgresCpu] = [app.cpuMs() - cpuBefore[0]!, postgresCpuMs() - cpuBefore[1]!];
      console.log(
        `${`export ${name}`.padEnd(44)} ${seconds.toFixed(2).padStart(6)} s (target < ${TARGET_SECONDS} s)   ` +
          `RSS +${peak - before} MB (${before} → ${peak} MB; target < ${TARGET_GROWTH_MB} MB)   ` +
          `${(sizes[0]! / 1e6).toFixed(1)} MB a file   CPU: all-in-one ${(appCpu / 1000).toFixed(2)} s, ` +
          `PostgreSQL ${(postgresCpu / 1000).toFixed(2)} s`,
      );
    }
  } finally {
    await app.stop();
  }
}
