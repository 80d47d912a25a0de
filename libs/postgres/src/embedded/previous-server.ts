import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresInUseError, EmbeddedPostgresStartError } from './embedded-postgres.errors';

// Which launcher process runs the server of a data folder. PostgreSQL's own postmaster.pid names the
// server; this file names the Node process that started it, so that a server whose launcher died
// (kill -9, a crash) can be told apart from one that another live process is using.
const OWNER_FILE = 'zhenggai-launcher.pid';
/** Prefix of the temporary folders that hold a launched server's Unix socket. */
export const SOCKET_DIR_PREFIX = 'zg-pg-';
const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * Makes the data folder free for a new server. A server left running by a launcher that died is an orphan
 * nobody can reach (its password was rotated away and its port forgotten), so it is shut down (fast
 * shutdown, then immediate shutdown if it hangs) rather than reused. A server whose launcher is alive is
 * refused with `EmbeddedPostgresInUseError`. A postmaster.pid naming a process that is not this folder's
 * server is stale and removed (PostgreSQL itself refuses to start when the recorded PID was reused).
 */
export async function releaseDataDir(dataDir: string, log: (line: string) => void): Promise<void> {
  const lock = await readPostmasterLock(dataDir);
  if (!lock) return;
  await stopPreviousServer(dataDir, lock.pid, log);
  // The socket folder of a launcher that died (a stopped launcher removes its own).
  const socketDir = lock.socketDir && path.resolve(lock.socketDir);
  if (socketDir && path.dirname(socketDir) === os.tmpdir() && path.basename(socketDir).startsWith(SOCKET_DIR_PREFIX)) {
    await rm(socketDir, { recursive: true, force: true });
  }
}

async function stopPreviousServer(dataDir: string, serverPid: number, log: (line: string) => void): Promise<void> {
  if (!exists(serverPid)) return;
  if (isRunning(serverPid) && !(await isServerOf(serverPid, dataDir))) {
    log(`removing stale postmaster.pid (process ${serverPid} is not this folder's server)`);
    await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  if (isRunning(serverPid)) {
    const ownerPid = await readPid(path.join(dataDir, OWNER_FILE));
    if (ownerPid !== undefined && isRunning(ownerPid)) throw new EmbeddedPostgresInUseError(dataDir, ownerPid);
    log(`stopping the server (pid ${serverPid}) left running by a launcher that died`);
    if (!(await signalAndWait(serverPid, 'SIGINT', SHUTDOWN_TIMEOUT_MS))) {
      await signalAndWait(serverPid, 'SIGQUIT', SHUTDOWN_TIMEOUT_MS);
    }
  }
  // PostgreSQL counts a dead server that its new parent (PID 1) has not reaped yet as running.
  if (!(await waitUntilGone(serverPid, SHUTDOWN_TIMEOUT_MS))) {
    throw new EmbeddedPostgresStartError(`the previous server (pid ${serverPid}) of ${dataDir} did not go away`, '');
  }
}

/** Records this process as the one running the folder's server. */
export async function recordOwner(dataDir: string): Promise<void> {
  await writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

export async function forgetOwner(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, OWNER_FILE), { force: true });
}

/** The PID of the server running on the folder, from PostgreSQL's postmaster.pid. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  return (await readPostmasterLock(dataDir))?.pid;
}

/** postmaster.pid: line 1 the server's PID, line 4 its port, line 5 its first Unix socket folder. */
export async function readPostmasterLock(
  dataDir: string,
): Promise<{ pid: number; port?: number; socketDir?: string } | undefined> {
  const lines = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  return Number.isInteger(pid) && pid > 0
    ? { pid, port: Number.isInteger(port) ? port : undefined, socketDir: lines[4]?.trim() || undefined }
    : undefined;
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The process exists, possibly as a zombie (what `kill(pid, 0)`, and so PostgreSQL, sees). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRunning(pid: number): boolean {
  return exists(pid) && !isZombie(pid);
}

// An orphan is reparented to PID 1 (or a subreaper), which reaps it some time after it exits.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

async function isServerOf(pid: number, dataDir: string): Promise<boolean> {
  const args = await commandLine(pid);
  const dataDirIndex = args.indexOf('-D');
  return (
    args.length > 0 &&
    path.basename(args[0]!).startsWith('postgres') &&
    dataDirIndex >= 0 &&
    path.resolve(args[dataDirIndex + 1] ?? '') === dataDir
  );
}

async function commandLine(pid: number): Promise<string[]> {
  const procArgs = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (procArgs !== undefined) return procArgs.split('\0').filter(Boolean);
  // No /proc (macOS): ps prints the arguments joined by spaces, good enough for paths without spaces.
  const { stdout } = await promisify(execFile)('ps', ['-o', 'args=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.trim().split(/\s+/).filter(Boolean);
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
  return waitUntil(() => !isRunning(pid), timeoutMs);
}

function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  return waitUntil(() => !exists(pid), timeoutMs);
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
