import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { runningEmbeddedPostgresUrl, SERVER_HOME } from '@zhenggai/postgres';
import { Client } from 'pg';
import { removeDataFolder } from './data-folder-removal';
import { postgresInstallation } from './postgres-installation';
import { ServerOutput } from './server-output';
import { serverOsUser } from './server-os-user';
import { runInitdb, ServerProcess } from './server-process';

// The launcher runs in child processes: the tests kill them, or run two of them.
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
    // Private (0700), as mktemp -d makes it: run as root, the server's OS user cannot enter it.
    folder = await mkdtemp(path.join(os.tmpdir(), 'zg-launcher-'));
    dataDir = path.join(folder, 'data');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    const pid = await postmasterPid();
    if (pid && isRunning(pid)) {
      process.kill(pid, 'SIGQUIT');
      await waitFor(() => !isRunning(pid));
    }
    await unmount(folder);
    await removeDataFolder(folder);
  });

  function spawnChild(
    folder = dataDir,
    env: NodeJS.ProcessEnv = process.env,
  ): {
    child: ChildProcessWithoutNullStreams;
    next: () => Promise<Record<string, unknown>>;
  } {
    const child = spawn(process.execPath, ['-r', REGISTER_TS, CHILD, folder], { env });
    children.push(child);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error('the launcher process ended without answering');
      return JSON.parse(value as string) as Record<string, unknown>;
    };
    return { child, next };
  }

  async function launch(env?: NodeJS.ProcessEnv): Promise<Launched> {
    const { child, next } = spawnChild(dataDir, env);
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

  async function query<T extends Record<string, unknown>>(
    url: string,
    sql: string,
    values: unknown[] = [],
  ): Promise<T[]> {
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
  const readNotes = async (url: string) =>
    (await query<{ note: string }>(url, 'SELECT note FROM notes')).map((r) => r.note);

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

  it('runs its sessions in UTC, though the cluster was made on a machine whose time is Beijing time', async () => {
    const launched = await launch({ ...process.env, TZ: 'Asia/Shanghai' });
    // initdb took the machine's time zone for the cluster...
    expect(readFileSync(path.join(dataDir, 'postgresql.conf'), 'utf8')).toMatch(/^timezone = 'Asia\/Shanghai'/m);
    // ...and the server's sessions are in UTC all the same: the times it writes are read without parsing.
    expect(await query(launched.url, 'SELECT current_setting($1) AS zone, now()::text AS now', ['TimeZone'])).toEqual([
      { zone: 'UTC', now: expect.stringMatching(/\+00$/) },
    ]);
    await launched.stop();
  });

  it(
    'after its launcher was killed with SIGKILL, stops the orphaned server ' + 'and starts again on the same data',
    async () => {
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
    },
  );

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

  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot(
    'as root, keeps the cluster of a folder the server’s OS user cannot ' +
      'enter where it can, linked from the folder, and finds it again',
    async () => {
      const first = await launch();
      await writeNote(first.url, '放在 postgres 用户够得着的地方');
      await first.stop();

      expect((await lstat(dataDir)).isSymbolicLink()).toBe(true);
      const cluster = await realpath(dataDir);
      expect(path.dirname(path.dirname(cluster))).toBe(SERVER_HOME);
      expect((await stat(cluster)).uid).toBe(Number(execFileSync('id', ['-u', 'postgres']).toString()));
      expect((await stat(folder)).mode & 0o777).toBe(0o700); // nothing of the caller's was opened up

      const second = await launch();
      expect(await readNotes(second.url)).toEqual(['放在 postgres 用户够得着的地方']);
      expect(await realpath(dataDir)).toBe(cluster);
      await second.stop();
    },
  );

  asRoot('as root, stops rather than begin an empty cluster when the folder the link points to is gone', async () => {
    const first = await launch();
    await first.stop();
    const cluster = await realpath(dataDir);
    await rm(path.dirname(cluster), { recursive: true });

    const { next } = spawnChild();

    expect(await next()).toEqual({
      error: 'DataFolderError',
      message:
        `${dataDir} links to ${cluster}, which is gone; restore it, or remove ` +
        'the link to start on an empty database',
    });
  });

  asRoot('as root, keeps the cluster in the data folder itself when the server’s OS user can enter it', async () => {
    await chmod(folder, 0o755);
    const launched = await launch();
    await launched.stop();
    expect((await lstat(dataDir)).isDirectory()).toBe(true);
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  asRoot(
    'as root, runs a copy of PostgreSQL’s programs when the server’s OS user cannot reach the installed ones',
    async () => {
      const installed = path.dirname(path.dirname((await postgresInstallation(undefined)).postgres));
      const unreachable = path.join(folder, 'node_modules-copy');
      execFileSync('cp', ['-al', installed, unreachable]); // the programs of a project cloned into a private folder
      const home = path.join(folder, 'home');
      await mkdir(home, { mode: 0o755 });
      await chmod(folder, 0o711); // the place for copies is reachable, the project's folder below it is not
      await chmod(unreachable, 0o700);
      const user = (await serverOsUser())!;

      const copied = await postgresInstallation(user, { home, packaged: { dir: unreachable, version: 'test' } });

      expect(copied.dir).toBe(path.join(home, 'postgres-test'));
      await mkdir(dataDir, { mode: 0o700 });
      await chown(dataDir, user.uid, user.gid);
      await runInitdb(copied, dataDir, [], user, new ServerOutput());
      expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
      // A second start finds the copy.
      expect((await postgresInstallation(user, { home, packaged: { dir: unreachable, version: 'test' } })).dir).toBe(
        copied.dir,
      );
    },
  );

  it('rejects, rather than dies of an unhandled error event, when a program of PostgreSQL cannot be run', async () => {
    const notExecutable = path.join(folder, 'initdb');
    await writeFile(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
    const broken = { dir: folder, initdb: notExecutable, postgres: path.join(folder, 'missing', 'postgres') };

    await expect(runInitdb(broken, dataDir, [], undefined, new ServerOutput())).rejects.toThrow(
      new RegExp(`could not run ${notExecutable}: spawn ${notExecutable} EACCES`),
    );
    await expect(ServerProcess.start(broken, ['-D', dataDir], undefined, new ServerOutput(), 10_000)).rejects.toThrow(
      /ENOENT/,
    );
  });

  const withMounts = canMount() ? it : it.skip;

  withMounts('stops with one sentence naming the folder when the data folder is on a read-only disk', async () => {
    const disk = await mountTmpfs('ro,size=4m');

    const { next } = spawnChild(path.join(disk, 'data'));

    expect(await next()).toEqual({
      error: 'DataFolderError',
      message:
        `cannot write to ${path.join(disk, 'data')}: it is on a read-only file ` +
        'system; set DATA_DIR to a folder on a writable disk',
    });
  });

  withMounts('stops with one sentence naming the folder when the data folder’s disk is full', async () => {
    const disk = await mountTmpfs('size=2m,mode=0755');

    const { next } = spawnChild(path.join(disk, 'data'));

    expect(await next()).toEqual({
      error: 'DataFolderError',
      message:
        `cannot write to ${path.join(disk, 'data')}: the disk is full; free ` +
        'some space or set DATA_DIR to a folder on another disk',
    });
  });

  /** A small tmpfs mounted in the test's folder (the folder itself is made enterable for the server's OS user). */
  async function mountTmpfs(options: string): Promise<string> {
    await chmod(folder, 0o755);
    const disk = path.join(folder, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', disk]);
    return disk;
  }
});

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN), to make a real read-only or full disk. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'zg-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

async function unmount(folder: string): Promise<void> {
  const disk = path.join(folder, 'disk');
  if (readFileSync('/proc/self/mounts', 'utf8').includes(` ${disk} `)) execFileSync('umount', [disk]);
}

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
