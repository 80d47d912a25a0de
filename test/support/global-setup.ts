// First: globalSetup runs outside jest's module registry, where the `@zhenggai/*` aliases need this.
import './path-aliases';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '@zhenggai/postgres';
import IORedis from 'ioredis';

/** What the global teardown needs; kept on globalThis, which globalSetup and globalTeardown share. */
export interface TestServerState {
  readonly server: EmbeddedPostgresServer;
  readonly folder: string;
}

const TEST_SERVER_STATE = Symbol.for('zhenggai.testPostgres');

/**
 * The PostgreSQL the integration and end-to-end tests create their databases on: `TEST_DATABASE_URL` when
 * set (an admin connection to a server where databases may be created), otherwise an embedded server in
 * a temporary folder, started for the whole run. Workers inherit `TEST_DATABASE_URL`.
 */
export default async function globalSetup(): Promise<void> {
  await findRedis();
  if (process.env.TEST_DATABASE_URL) return;
  const folder = await mkdtemp(path.join(os.tmpdir(), 'zg-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: path.join(folder, 'data') });
  process.env.TEST_DATABASE_URL = server.adminUrl;
  const state: TestServerState = { server, folder };
  (globalThis as Record<symbol, unknown>)[TEST_SERVER_STATE] = state;
}

/**
 * The Redis the queue tests also run on: `TEST_REDIS_URL`, or the machine's on 127.0.0.1:6379. On a machine
 * without one those variants are skipped with a notice (the PostgreSQL variants still run), unless
 * `REQUIRE_REDIS` is set, as CI does.
 */
async function findRedis(): Promise<void> {
  const url = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new IORedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    process.env.TEST_REDIS_URL = url;
  } catch {
    if (process.env.REQUIRE_REDIS) throw new Error(`REQUIRE_REDIS is set and no Redis answers at ${url}`);
    process.env.TEST_REDIS_URL = '';
    console.warn(`\nno Redis at ${url}: the tests of BullMQ on Redis are skipped (those on PostgreSQL run)`);
  } finally {
    redis.disconnect();
  }
}
