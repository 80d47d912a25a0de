import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { findFreePort } from '@zhenggai/postgres';
import IORedis from 'ioredis';
import { eventually } from './http-client';
import { closedAfterThisFile } from './opened-for-this-file';

/** Whether `redis-server` is on PATH (tests that take a Redis away start one of their own). */
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface OwnRedis {
  readonly url: string;
  /** SIGKILL, as a crash or a lost machine; resolves when it has exited. */
  kill(): Promise<void>;
  /** A new, empty server on the same port (no persistence: what was queued is gone). */
  restart(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free port of 127.0.0.1, without persistence, so that a test can take it
 * away and bring it back. Killed after the test file at the latest.
 */
export function startOwnRedis(): Promise<OwnRedis> {
  return closedAfterThisFile(openOwnRedis(), (redis) => redis.kill());
}

async function openOwnRedis(): Promise<OwnRedis> {
  const port = await findFreePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess;
  let exited: Promise<void>;
  const launch = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    await eventually(() => answers(url), 30_000, 100);
  };
  const kill = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    await exited;
  };
  await launch();
  return { url, kill, restart: async () => { await kill(); await launch(); } };
}

async function answers(url: string): Promise<true | undefined> {
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
}
