import { ManualClock } from '@zhenggai/application';
import {
  levelDueAt,
  owedReminders,
  ReminderPolicy,
  rectificationTaskDecider,
  foldEvents,
  RectificationTaskEvent,
} from '@zhenggai/domain';
import { directoryFixtures, Infrastructure, JobQueues, QueueBackend } from '@zhenggai/platform';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import IORedis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { openWorkerCommands } from '../apps/worker/src/commands/worker-commands.module';
import { reminderEngineOf, workerCommandDeps } from '../apps/worker/src/worker.module';
import { REMINDER_SCHEDULER } from '../apps/worker/src/reminders/reminder-scheduler.reactor';
import { NOTIFICATION_DISPATCHER } from '../apps/worker/src/reminders/notification-dispatcher.reactor';
import { percentile } from './closed-loop';
import { appendAssignments, benchTaskAssigned } from './task-sized-event';

const LADDER: ReminderPolicy = {
  id: 'bench',
  version: 1,
  name: 'bench',
  levels: [
    {
      level: 'due_today',
      label: '到期提醒',
      kind: 'reminder',
      offset: { days: 0, hourOfDay: 9 },
      recipients: ['unit'],
    },
  ],
};
const DEADLINE = '2030-01-01';

/**
 * The queue backends a case measures, each with its p99 target: Redis (BENCH_REDIS_URL, 127.0.0.1:6379 by default)
 * when it answers, under a key prefix of its own, and BullMQ's PostgreSQL backend in a schema of its own, so that
 * no job of another part is in the queue.
 */
export async function benchBackends(
  infra: Infrastructure,
  part: string,
): Promise<Array<[string, QueueBackend, number]>> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const backends: Array<[string, QueueBackend, number]> = [];
  if (await reachable(redisUrl))
    backends.push([
      'Redis',
      { kind: 'redis', url: redisUrl, prefix: `zg-bench-${randomBytes(4).toString('hex')}` },
      2000,
    ]);
  else console.log(`\n${part}: no Redis at ${redisUrl} (BENCH_REDIS_URL), measuring PostgreSQL only`);
  backends.push([
    'PostgreSQL',
    { kind: 'postgres', url: infra.databaseUrl, schema: `bullmq_bench_${randomBytes(4).toString('hex')}` },
    5000,
  ]);
  return backends;
}

/**
 * Reminders (issue 4), on each backend: how many ladder jobs per second are scheduled, and how fast and how
 * late they are delivered. TASKS open tasks each owe one level; their jobs are queued due at instants spread
 * evenly over WINDOW seconds; each is fired (the task re-read, the level recorded as an event), dispatched
 * and delivered to a webhook receiver on this machine. The delay is from the instant a job was due to the
 * moment its webhook arrived. Targets: p99 under 2 s on Redis and 5 s on PostgreSQL.
 */
export async function benchmarkReminders(infra: Infrastructure, tasks: number, windowSeconds: number): Promise<void> {
  const backends = await benchBackends(infra, 'reminders');
  console.log(
    `\nreminders — ${tasks.toLocaleString()} tasks, each owing one level, ` +
      `due spread over ${windowSeconds} s, delivered to a local webhook\n`,
  );
  for (const [name, backend, targetMs] of backends)
    await benchmarkBackend(infra, name, backend, targetMs, tasks, windowSeconds);
}

async function benchmarkBackend(
  infra: Infrastructure,
  name: string,
  backend: QueueBackend,
  targetMs: number,
  tasks: number,
  windowSeconds: number,
): Promise<void> {
  const arrived = new Map<string, number>();
  const receiver = await webhookReceiver((body, at) => {
    const taskId = body.taskId as string;
    if (!arrived.has(taskId)) arrived.set(taskId, at);
  });
  const webhook = receiver.url;

  const regionId = (await infra.directory.listRegions())[0]!.id;
  const unitId = randomUUID();
  await directoryFixtures.unit(infra, {
    id: unitId,
    name: `基准单位 ${unitId.slice(0, 8)}`,
    regionId,
    channels: [{ kind: 'webhook', url: webhook, format: 'json', audience: 'unit' }],
  });
  const taskIds = await appendAssignments(infra, {
    count: tasks,
    writers: 8,
    regionId,
    leadUnitId: unitId,
    deadline: DEADLINE,
    reminderPolicy: LADDER,
    occurredAt: '2029-12-01T00:00:00.000Z',
  });

  const clock = new ManualClock('2030-01-02T00:00:00+08:00'); // after every due instant: a job never waits on the clock
  const bus = await openWorkerCommands({ ...workerCommandDeps(infra), clock });
  const engine = reminderEngineOf(infra, bus.commands, {
    queues: new JobQueues(backend),
    clock,
    reconcileEveryMs: 3_600_000,
    concurrency: 16,
  });
  // The scheduler and dispatcher start at the head of the store: the bench queues the jobs itself.
  const head = (await infra.pool.query<{ p: string }>('SELECT coalesce(max(global_position), 0) AS p FROM events'))
    .rows[0]!.p;
  const checkpoints = new PostgresCheckpointStore(infra.pool);
  await checkpoints.save(REMINDER_SCHEDULER, BigInt(head));
  await checkpoints.save(NOTIFICATION_DISPATCHER, BigInt(head));

  // Scheduling: one delayed job per task, due at an instant of the window.
  const owed = owedReminders(foldEvents(rectificationTaskDecider, [assignedEvent(taskIds[0]!, unitId, regionId)]))[0]!;
  const dueMs = Date.parse(levelDueAt(DEADLINE, LADDER.levels[0]!));
  const dueAt = new Map<string, number>();
  const scheduleStart = Date.now();
  const firstDue = scheduleStart + 5000 + Math.ceil(tasks / 500) * 1000; // after scheduling has finished
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < tasks; i = next++) {
        const due = firstDue + Math.floor((i * windowSeconds * 1000) / tasks);
        dueAt.set(taskIds[i]!, due);
        await engine.reminderJobs.ensure(taskIds[i]!, [owed], dueMs - (due - Date.now()));
      }
    }),
  );
  const scheduleSeconds = (Date.now() - scheduleStart) / 1000;

  await engine.start();
  const until = Date.now() + windowSeconds * 1000 + 120_000 + (firstDue - Date.now());
  while (arrived.size < tasks && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  const delays = taskIds
    .filter((id) => arrived.has(id))
    .map((id) => arrived.get(id)! - dueAt.get(id)!)
    .sort((a, b) => a - b);
  const first = Math.min(...arrived.values());
  const last = Math.max(...arrived.values());
  await engine.stop();
  await bus.close();
  await receiver.close();
  await dropQueue(backend);

  const lost = tasks - arrived.size;
  console.log(`${`${name}: scheduled`.padEnd(44)} ${(tasks / scheduleSeconds).toFixed(0).padStart(7)} jobs/s`);
  console.log(
    `${`${name}: fired, recorded and delivered`.padEnd(44)} ` +
      `${(arrived.size / Math.max(0.001, (last - first) / 1000)).toFixed(0).padStart(7)} ` +
      `/s (offered ${(tasks / windowSeconds).toFixed(0)}/s)` +
      `   delay p50 ${percentile(delays, 50).toFixed(0)} ms   p99 ` +
      `${percentile(delays, 99).toFixed(0)} ms (target < ${targetMs} ms)${lost ? `   ${lost} NOT DELIVERED` : ''}`,
  );
}

/**
 * An HTTP server on this machine taking webhooks, in a child process: `onMessage` gets, of each JSON body, its type,
 * deliveryId, taskId and recordedAt, and the instant it arrived.
 */
export async function webhookReceiver(
  onMessage: (body: Record<string, unknown>, at: number) => void,
): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  // In a child process (webhook-receiver.ts), as a robot is elsewhere: receiving is not the engine's work.
  const child = fork(join(__dirname, 'webhook-receiver.js'), [], { stdio: 'inherit' });
  let closed: (() => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    child.on(
      'message',
      (message: { port?: number; arrivals?: Array<{ body: Record<string, unknown>; at: number }> }) => {
        if (message.port !== undefined) resolve(message.port);
        for (const { body, at } of message.arrivals ?? []) onMessage(body, at);
        if ('closed' in message) closed?.();
      },
    );
    child.once('exit', (code) => reject(new Error(`the webhook receiver exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    pid: child.pid!,
    close: () =>
      new Promise<void>((resolve) => {
        closed = resolve;
        child.send({ close: true });
      }),
  };
}

function assignedEvent(taskId: string, unitId: string, regionId: string): RectificationTaskEvent {
  return benchTaskAssigned({ taskId, regionId, leadUnitId: unitId, deadline: DEADLINE, reminderPolicy: LADDER });
}

async function reachable(url: string): Promise<boolean> {
  const redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function dropQueue(backend: QueueBackend): Promise<void> {
  if (backend.kind === 'redis') {
    const redis = new IORedis(backend.url);
    const keys = await redis.keys(`${backend.prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    await redis.quit();
  }
}
