import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { findFreePort } from '@zhenggai/postgres';
import { startScript } from '../../scripts/start-command';
import { eventually, HttpClient } from './http-client';
import { closedAfterThisFile } from './opened-for-this-file';
import { createTestDatabase, TestDatabase } from './test-database';

const ROOT = join(__dirname, '../..');

/** The built entry points, as `npm start`, `npm run start:api`, `npm run start:worker` and the image run them. */
export const BUILT = {
  allInOne: join(ROOT, 'dist/apps/all-in-one/src/main.js'),
  api: join(ROOT, 'dist/apps/api/src/main.js'),
  worker: join(ROOT, 'dist/apps/worker/src/main.js'),
} as const;

/** Settings of the test's own environment that must not leak into a process started as a user would start it. */
const USER_SETTINGS = [
  'DATABASE_URL',
  'EVENTSTORE',
  'ESDB_URL',
  'JWT_SECRET',
  'SEED_DEMO',
  'ADMIN_USERNAME',
  'ADMIN_PASSWORD',
  'HOST',
  'PORT',
  'REDIS_URL',
  'REMINDERS',
  'DATA_DIR',
];

export interface BuiltProcess {
  /** Where it listens (null for the worker, which serves no HTTP). */
  readonly http: HttpClient | null;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  readonly exitCode: number | null;
  /** The operating system's id of the process (its database sessions carry it in `application_name`). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with the exit code (null: killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** Sends a signal (a fault: SIGKILL in the middle of a request) and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * A new test database with the demo story loaded (as by a process with `jwtSecret`), for built processes to start on.
 */
export async function demoDatabase(jwtSecret: string): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const infra = await startInfrastructure(
    loadConfig({ DATABASE_URL: database.url, JWT_SECRET: jwtSecret, REMINDERS: 'off' }),
  );
  try {
    await seedDemo(infra);
  } finally {
    await infra.close();
  }
  return database;
}

/**
 * Starts a built process (`dist/…/main.js`, with the node options of `npm start` for the all-in-one) with only
 * the given settings, and waits until it serves `/health` (or, for the worker, says it is running). A process
 * that exits or does not come up within `timeoutMs` fails the start with what it printed, and is killed.
 */
export function startBuiltProcess(
  main: string,
  settings: Record<string, string>,
  options: { timeoutMs?: number; readyLine?: RegExp } = {},
): Promise<BuiltProcess> {
  return closedAfterThisFile(spawnBuiltProcess(main, settings, options), (running) => running.stop(5_000));
}

async function spawnBuiltProcess(
  main: string,
  settings: Record<string, string>,
  options: { timeoutMs?: number; readyLine?: RegExp },
): Promise<BuiltProcess> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` before the end-to-end tests`);
  const serves = main !== BUILT.worker;
  const port = serves ? (settings.PORT ?? String(await findFreePort())) : null;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of USER_SETTINGS) delete env[name];
  const npmStart = main === BUILT.allInOne ? startScript(ROOT) : { env: {}, nodeOptions: [] };
  Object.assign(env, npmStart.env, settings, port ? { PORT: port } : {});
  const nodeOptions = npmStart.nodeOptions;
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, main], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const http = port ? new HttpClient(`http://127.0.0.1:${port}`) : null;
  const running: BuiltProcess = {
    http,
    output: () => output,
    get exitCode() {
      return child.exitCode;
    },
    pid: child.pid!,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(killer);
        }
      }
      return child.exitCode;
    },
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${main} exited (${child.exitCode ?? child.signalCode}):\n${output}`);
        if (!http) return (options.readyLine ?? /running/).test(output) ? true : undefined;
        const answer = await http.get('/health').catch(() => null);
        return answer?.status === 200 ? true : undefined;
      },
      options.timeoutMs ?? 90_000,
      250,
    );
  } catch (error) {
    await running.stop(5_000);
    throw error;
  }
  return running;
}

/** The web app at `/`, its client routes and its scripts, as a browser opening the printed URL gets them. */
export async function expectWebAppServed(http: HttpClient): Promise<void> {
  const page = await fetch(`${http.baseUrl}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).toContain('<div id="app">');
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((match) => match[1]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const src of scripts) {
    const script = await fetch(new URL(src, http.baseUrl));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  }
  const route = await fetch(`${http.baseUrl}/tasks`);
  expect(route.status).toBe(200);
  expect(await route.text()).toBe(html);
}
