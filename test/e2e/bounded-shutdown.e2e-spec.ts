import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { findFreePort } from '@zhenggai/postgres';
import IORedis from 'ioredis';
import { BUILT, startBuiltProcess } from '../support/built-process';
import { eventually } from '../support/http-client';
import { closedAfterThisFile } from '../support/opened-for-this-file';
import { createTestDatabase } from '../support/test-database';

const JWT_SECRET = 'shutdown-secret-that-is-long-enough-0123456789';
const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasRedisServer) console.warn('\nno redis-server on PATH: the bounded-shutdown test, which stops a Redis of its own, is skipped');

/** A redis-server of the test's own on a free port, without persistence, so that the test can take it away. */
async function startRedis(): Promise<{ url: string; process: ChildProcess; kill(): Promise<void> }> {
  const port = await findFreePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const kill = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    await exited;
  };
  const url = `redis://127.0.0.1:${port}`;
  await eventually(async () => {
    const probe = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      probe.disconnect();
    }
  }, 30_000, 100);
  return { url, process: server, kill };
}

/**
 * Issue 16, point 4: SIGTERM to a worker whose Redis is gone left it running (still there after 95 s; BullMQ's
 * workers wait for Redis to record the jobs they have in hand). The shutdown is bounded: after
 * SHUTDOWN_GRACE_SECONDS it closes what it can, says which step it abandoned, and exits with code 1.
 */
(hasRedisServer ? describe : describe.skip)('a worker told to stop while its Redis is down', () => {
  it('stops within its grace period, exits 1 and names what it abandoned', async () => {
    const database = await createTestDatabase();
    const redis = await closedAfterThisFile(startRedis(), (r) => r.kill());
    const worker = await startBuiltProcess(
      BUILT.worker,
      { DATABASE_URL: database.url, JWT_SECRET, REDIS_URL: redis.url, SHUTDOWN_GRACE_SECONDS: '3' },
      { readyLine: /zhenggai-worker: running/ },
    );

    await redis.kill();
    // SIGTERM, and SIGKILL a minute later: a worker that is still there by then is killed and the exit code is null.
    const exitCode = await worker.stop(60_000);

    expect({ exitCode, said: /abandoned: .*BullMQ workers .* on Redis/.test(worker.output()) }).toEqual({ exitCode: 1, said: true });
    expect(worker.output()).toMatch(/not stopped within 3 s of SIGTERM \(SHUTDOWN_GRACE_SECONDS\)/);
  });
});
