import { isPostgresConnectionFailure } from '@zhenggai/postgres';
import { MIGRATION_ADVISORY_LOCK_KEY } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { eventually } from '../../../../test/support/http-client';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { hasRedisServer, startOwnRedis } from '../../../../test/support/redis-server';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { JobQueues } from './job-queues';

/**
 * Issue 16, point 1: BullMQ's PostgreSQL backend holds connections of its own (a pool per queue and per worker, a
 * LISTEN connection per worker, and one it checks out to migrate its schema). PostgreSQL terminating them (a
 * restart, `pg_terminate_backend`) must not end the process, and queues and workers carry on.
 */
describe('BullMQ on PostgreSQL when PostgreSQL terminates its connections', () => {
  let database: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = await closedAfterThisFile(
      (async () => {
        const client = new Client({ connectionString: database.url, application_name: 'zg-test-admin' });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      })(),
      (client) => client.end().catch(() => undefined),
    );
  });
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await database?.drop();
  });

  const openQueues = (schema: string) =>
    closedAfterThisFile(Promise.resolve(new JobQueues({ kind: 'postgres', url: database.url, schema })), (q) =>
      q.close(),
    );

  /** Terminates every backend of the database but the test's own connections; returns how many. */
  async function terminateAllButTests(where = 'true'): Promise<number> {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() ' +
        `AND application_name NOT LIKE 'zg-test-%' AND ${where}`,
    );
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [rows.map((row) => row.pid)]);
    return rows.length;
  }

  it(
    'a connection terminated while BullMQ migrates its schema fails that ' +
      'start, not the process; the next start works',
    async () => {
      const schema = `bullmq_${randomBytes(4).toString('hex')}`;
      // The test holds BullMQ's migration lock, so that BullMQ's migrating connection waits at a known statement.
      const holder = new Client({ connectionString: database.url, application_name: 'zg-test-holder' });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_ADVISORY_LOCK_KEY, schema]);
      try {
        const first = await openQueues(schema);
        first.queue('terminated');
        const starting = first.ready();
        const waiting = `wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'`;
        await eventually(async () => ((await countWhere(waiting)) === 1 ? true : undefined), 60_000, 50);

        expect(await terminateAllButTests(waiting)).toBe(1);

        await expect(
          starting.then(
            () => 'started',
            (error) => (isPostgresConnectionFailure(error) ? 'connection failure' : error),
          ),
        ).resolves.toBe('connection failure');
        await first.close();
      } finally {
        await holder.query('COMMIT');
        await holder.end();
      }

      const second = await openQueues(schema);
      const done: string[] = [];
      second.worker<{ n: string }>('terminated', async (job) => void done.push(job.data.n));
      await second.ready();
      await second.queue('terminated').add('job', { n: 'after' });
      await eventually(async () => (done.includes('after') ? true : undefined), 60_000, 50);
    },
  );

  it(
    'queues and workers carry on when every BullMQ connection is ' + 'terminated at once, a job in progress included',
    async () => {
      const queues = await openQueues(`bullmq_${randomBytes(4).toString('hex')}`);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const inProgress = new Promise<void>((resolve) => (started = resolve));
      const done: string[] = [];
      queues.worker<{ n: string }>(
        'carry-on',
        async (job) => {
          if (job.data.n === 'during') {
            started();
            await gate;
          }
          done.push(job.data.n);
        },
        // A job whose completion could not be recorded runs again within seconds (BullMQ's defaults wait 30 s).
        { lockDuration: 2000, stalledInterval: 1000 },
      );
      await queues.ready();
      const queue = queues.queue('carry-on');
      await queue.add('job', { n: 'before' });
      await eventually(async () => (done.includes('before') ? true : undefined), 60_000, 50);
      await queue.add('job', { n: 'during' });
      await inProgress;

      expect(await terminateAllButTests()).toBeGreaterThanOrEqual(2);
      release();
      // Each pooled connection the pool has not yet found dead fails the call made on it, once, as a connection
      // failure (the reactions that queue jobs retry such calls); made again, the call goes through.
      await eventually(
        () =>
          queue.add('job', { n: 'after' }).then(
            () => true,
            (error) => {
              if (!isPostgresConnectionFailure(error)) throw error;
              return undefined;
            },
          ),
        60_000,
        50,
      );

      await eventually(async () => (done.includes('after') && done.includes('during') ? true : undefined), 60_000, 50);
    },
  );

  async function countWhere(where: string): Promise<number> {
    const { rows } = await admin.query<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND ${where}`,
    );
    return Number(rows[0]!.count);
  }
});

/** What the worker's queues do when Redis goes away and comes back (README's operations notes quote the time). */
(hasRedisServer ? describe : describe.skip)('BullMQ on Redis when Redis restarts', () => {
  it('workers wait for it and process what is queued once it is back', async () => {
    const redis = await startOwnRedis();
    const queues = await closedAfterThisFile(Promise.resolve(new JobQueues({ kind: 'redis', url: redis.url })), (q) =>
      q.close(),
    );
    const done: string[] = [];
    queues.worker<{ n: string }>('restarted', async (job) => void done.push(job.data.n));
    await queues.ready();
    await queues.queue('restarted').add('job', { n: 'before' });
    await eventually(async () => (done.includes('before') ? true : undefined), 60_000, 50);

    await redis.restart();
    const backAt = Date.now();
    await queues.queue('restarted').add('job', { n: 'after' });
    await eventually(async () => (done.includes('after') ? true : undefined), 60_000, 50);
    // Not asserted: timings vary with the machine's load.
    console.log(
      'BullMQ on Redis: a job added after Redis restarted was processed ' +
        `${Date.now() - backAt} ms after it answered again`,
    );
  });
});
