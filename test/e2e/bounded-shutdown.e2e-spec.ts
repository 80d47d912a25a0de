import { BUILT, startBuiltProcess } from '../support/built-process';
import { hasRedisServer, startOwnRedis } from '../support/redis-server';
import { createTestDatabase } from '../support/test-database';

const JWT_SECRET = 'shutdown-secret-that-is-long-enough-0123456789';
if (!hasRedisServer)
  console.warn('\nno redis-server on PATH: the bounded-shutdown test, which stops a Redis of its own, is skipped');

/**
 * Issue 16, point 4: SIGTERM to a worker whose Redis is gone left it running (still there after 95 s; BullMQ's
 * workers wait for Redis to record the jobs they have in hand). The shutdown is bounded: after
 * SHUTDOWN_GRACE_SECONDS it closes what it can, says which step it abandoned, and exits with code 1.
 */
(hasRedisServer ? describe : describe.skip)('a worker told to stop while its Redis is down', () => {
  it('stops within its grace period, exits 1 and names what it abandoned', async () => {
    const database = await createTestDatabase();
    const redis = await startOwnRedis();
    const worker = await startBuiltProcess(
      BUILT.worker,
      { DATABASE_URL: database.url, JWT_SECRET, REDIS_URL: redis.url, SHUTDOWN_GRACE_SECONDS: '3' },
      { readyLine: /zhenggai-worker: running/ },
    );

    await redis.kill();
    // SIGTERM, and SIGKILL a minute later: a worker that is still there by then is killed and the exit code is null.
    const exitCode = await worker.stop(60_000);

    expect({ exitCode, said: /abandoned: .*BullMQ workers .* on Redis/.test(worker.output()) }).toEqual({
      exitCode: 1,
      said: true,
    });
    expect(worker.output()).toMatch(/not stopped within 3 s of SIGTERM \(SHUTDOWN_GRACE_SECONDS\)/);
  });

  it(
    'started while Redis is down (its start waits for the queues), stops ' + 'within its grace period too, exit 1',
    async () => {
      const database = await createTestDatabase();
      const redis = await startOwnRedis();
      await redis.kill();
      const worker = await startBuiltProcess(
        BUILT.worker,
        { DATABASE_URL: database.url, JWT_SECRET, REDIS_URL: redis.url, SHUTDOWN_GRACE_SECONDS: '3' },
        { readyLine: /Starting Nest application/ },
      );

      const exitCode = await worker.stop(60_000);

      expect({ exitCode, output: worker.output() }).toEqual({
        exitCode: 1,
        output: expect.stringMatching(
          /still starting 3 s after SIGTERM \(SHUTDOWN_GRACE_SECONDS\); abandoned the start/,
        ),
      });
    },
  );
});
