import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { findFreePort } from '@zhenggai/postgres';
import { connect } from 'node:net';
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
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    await eventually(() => answers(port), 30_000, 100);
  };
  const kill = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
  };
}

/**
 * Whether a Redis answers PING at `port` (a plain socket: an ioredis client keeps the test run alive a while after).
 */
function answers(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (answer: true | undefined) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? true : undefined));
  });
}
