import { assignTask, AssignTaskInput, EventStore, fileFinding, UseCaseDeps } from '@zhenggai/application';
import { type Actor, type CommandMetadata, findingStreamName } from '@zhenggai/domain';
import { Infrastructure, QueueBackend, useCaseDeps } from '@zhenggai/platform';
import IORedis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';

/**
 * The BullMQ backends a queue test runs on, each as a name and a fresh backend for a database: Redis when the global
 * setup found one (TEST_REDIS_URL; empty when none answers), and always BullMQ's PostgreSQL backend.
 */
export function queueBackends(): Array<[string, (databaseUrl: string) => QueueBackend]> {
  const redisUrl = process.env.TEST_REDIS_URL;
  return [
    ...(redisUrl
      ? [
          ['Redis', () => ({ kind: 'redis', url: redisUrl, prefix: `zg-test-${randomBytes(4).toString('hex')}` })] as [
            string,
            () => QueueBackend,
          ],
        ]
      : []),
    [
      'PostgreSQL',
      (databaseUrl) => ({ kind: 'postgres', url: databaseUrl, schema: `bullmq_${randomBytes(4).toString('hex')}` }),
    ],
  ];
}

/** Removes everything a backend holds: the Redis keys under its prefix, or its PostgreSQL schema. */
export async function obliterateQueues(b: QueueBackend): Promise<void> {
  if (b.kind === 'redis') {
    const redis = new IORedis(b.url);
    const keys = await redis.keys(`${b.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  } else {
    const pool = new Pool({ connectionString: b.url });
    await pool.query(`DROP SCHEMA IF EXISTS "${b.schema}" CASCADE`);
    await pool.end();
  }
}

/** Polls `probe` until it answers something truthy, and answers that; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A finding (危房未改造, or of `category`) filed by `inspector` now (on the infrastructure's clock): answers its id. */
export async function filedFinding(
  infra: Infrastructure,
  inspector: Actor,
  regionId: string,
  category = 'dangerous-housing',
): Promise<string> {
  const finding = await fileFinding(
    useCaseDeps(infra),
    {
      title: '危房未改造',
      description: '仍有危房',
      regionId,
      category,
      severity: 'high',
      source: '督查组',
      evidence: [],
    },
    { actor: inspector, now: infra.clock.now().toISOString(), correlationId: randomUUID() },
  );
  return finding.id;
}

/** What 交办 takes: a task of the finding for one lead unit (一户一方案), by a deadline. */
export function assignmentOf(findingId: string, leadUnitId: string, deadline = '2030-06-30'): AssignTaskInput {
  const task = { findingId, leadUnitId, cooperatingUnitIds: [], deadline, measures: '一户一方案', target: null };
  return { ...task, campaignId: null, title: null };
}

/**
 * An assignment to `findingId` cut off between its two appends to `deps.store` (a store that appends one stream at a
 * time, as EventStoreDB, killed after the task's): the task is stored, its link on the finding is not. Rejects as the
 * assignment did.
 */
export async function assignmentCutOffBeforeItsLink(
  deps: UseCaseDeps,
  findingId: string,
  leadUnitId: string,
  metadata: CommandMetadata,
): Promise<never> {
  const { store } = deps;
  const cutOff = Object.create(store) as EventStore;
  cutOff.appendToStreams = undefined;
  cutOff.appendToStream = async (stream, events, options) => {
    if (stream === findingStreamName(findingId)) throw new Error('killed between the appends');
    return store.appendToStream(stream, events, options);
  };
  await assignTask({ ...deps, store: cutOff }, assignmentOf(findingId, leadUnitId), metadata);
  throw new Error('the assignment was not cut off');
}

/**
 * A finding filed and its task assigned by `inspector` now (on the infrastructure's clock), awaited in the tasks read
 * model (the reminder reconciliation and the daily digest read it) unless `inReadModel` is false (its runner is
 * stopped): answers the task's id.
 */
export async function assignedTask(
  infra: Infrastructure,
  inspector: Actor,
  task: { regionId: string; leadUnitId: string; deadline: string },
  { inReadModel = true }: { inReadModel?: boolean } = {},
): Promise<string> {
  const deps = useCaseDeps(infra);
  const meta = () => ({ actor: inspector, now: infra.clock.now().toISOString(), correlationId: randomUUID() });
  const findingId = await filedFinding(infra, inspector, task.regionId);
  const { id } = await assignTask(deps, assignmentOf(findingId, task.leadUnitId, task.deadline), meta());
  if (!inReadModel) return id;
  await waitFor(
    'the task in the read model',
    async () =>
      (await infra.pool.query('SELECT 1 FROM read_models.task_states WHERE task_id = $1', [id])).rowCount === 1,
  );
  return id;
}
