import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Infrastructure } from '@zhenggai/platform';
import { leaseKeySql, readProjectionStatuses } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { startScript } from '../scripts/start-command';
import { emptyReadModels, writeDemoTasks } from './projection-benchmark';

/**
 * Issue 22, out to more machines: the projection work shared by two worker processes. The read case's BENCH_TASKS
 * tasks are written in bulk; the read models are caught up from nothing by one worker holding every projection's
 * lease, then (the read models emptied again) by two workers, each preferring some (`PROJECTIONS_PREFERRED`, as
 * infra/README.md tells an installation to run them). Each line says when each projection caught up and which
 * worker held its lease; the last, when all had. Both runs without the reminder ladder (`REMINDERS=false`): what is
 * compared is the projections' work.
 */
export async function benchmarkSplitWorkers(infra: Infrastructure, databaseUrl: string, tasks: number): Promise<void> {
  const { events } = await writeDemoTasks(infra, tasks);
  await infra.pool.query('VACUUM ANALYZE');
  console.log(
    `\nprojections shared by two workers — ${tasks.toLocaleString()} tasks ` +
      `(${events.toLocaleString()} events written in bulk)\n`,
  );
  const configurations: Array<{ title: string; workers: Record<string, string | null> }> = [
    { title: 'one worker', workers: { 'worker-a': null } },
    { title: 'two workers', workers: { 'worker-a': 'tasks,todo', 'worker-b': 'audit,inbox,catalogue' } },
  ];
  for (const [i, configuration] of configurations.entries()) {
    if (i > 0) await emptyReadModels(infra);
    const workers = Object.entries(configuration.workers).map(([name, preferred]) =>
      startWorker(databaseUrl, name, preferred),
    );
    try {
      const started = Date.now();
      const caughtUp = await waitUntilAllCaughtUp(infra, started);
      const seconds = (Date.now() - started) / 1000;
      for (const p of caughtUp)
        console.log(
          `${`${configuration.title}: ${p.name}`.padEnd(44)} caught up ${p.seconds.toFixed(1).padStart(6)} s ` +
            `after the start (lease held by ${p.holder})`,
        );
      console.log(`${`${configuration.title}: every projection`.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s\n`);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }
}

/** The built worker process, as `npm run start:worker` runs it, named `name` to PostgreSQL (PGAPPNAME). */
function startWorker(databaseUrl: string, name: string, preferred: string | null) {
  const npmStart = startScript(join(__dirname, '../..'));
  const child: ChildProcess = spawn(
    process.execPath,
    [...npmStart.nodeOptions, join(__dirname, '../apps/worker/src/main.js')],
    {
      env: {
        ...process.env,
        ...npmStart.env,
        DATABASE_URL: databaseUrl,
        JWT_SECRET: randomUUID() + randomUUID(),
        REMINDERS: 'false',
        SEED_DEMO: 'false',
        PGAPPNAME: name,
        ...(preferred ? { PROJECTIONS_PREFERRED: preferred, PROJECTION_DEFER_SECONDS: '600' } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Seconds from `started` until each projection had caught up with the store's head, and the worker holding it. */
async function waitUntilAllCaughtUp(infra: Infrastructure, started: number) {
  const names = allProjections.map((p) => p.name);
  const done = new Map<string, { name: string; seconds: number; holder: string }>();
  const holders = new Map<string, string>();
  while (done.size < names.length) {
    if (Date.now() - started > 3_600_000) throw new Error('projections did not catch up within an hour');
    for (const row of (
      await infra.pool.query<{ name: string; holder: string }>(
        `SELECT s.name, split_part(a.application_name, ':', 1) AS holder FROM projection_state s
           JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted
           JOIN pg_stat_activity a ON a.pid = l.pid AND a.application_name LIKE 'worker-%:projection:%'
          WHERE ((l.classid::bigint << 32) | l.objid::bigint) = ${leaseKeySql('s.name')}`,
      )
    ).rows)
      holders.set(row.name, row.holder);
    for (const status of await readProjectionStatuses(infra.pool, names, infra.projectionSource))
      if (status.generation !== null && status.lag === 0 && !done.has(status.name))
        done.set(status.name, {
          name: status.name,
          seconds: (Date.now() - started) / 1000,
          holder: holders.get(status.name) ?? '?',
        });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return [...done.values()];
}
