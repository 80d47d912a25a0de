import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EmbeddedPostgresStartError } from './embedded-postgres.errors';
import type { PostgresInstallation } from './postgres-installation';
import type { ServerOutput } from './server-output';
import type { OsUser } from './server-os-user';

const READY = 'database system is ready to accept connections';
/** A fast shutdown that takes longer than this becomes an immediate one (crash recovery at the next start). */
const FAST_SHUTDOWN_MS = 30_000;

/**
 * Runs initdb on `dataDir` to its end. Every failure, a program that cannot be started (EACCES, ENOENT) among
 * them, rejects with an `EmbeddedPostgresStartError`: none is left to an unhandled 'error' event.
 */
export function runInitdb(
  installation: PostgresInstallation,
  dataDir: string,
  flags: readonly string[],
  user: OsUser | undefined,
  output: ServerOutput,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = launch(installation.initdb, [`--pgdata=${dataDir}`, '--lc-messages=C', ...flags], user, output);
    if (child instanceof Error) return reject(child);
    child.once('error', (error) => reject(cannotRun(installation.initdb, error, output)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new EmbeddedPostgresStartError(
            `initdb failed in ${dataDir} (${signal ?? `exit code ${code}`})`,
            output.tail(),
          ),
        );
    });
  });
}

/** A running `postgres` server process. */
export class ServerProcess {
  private readonly exit: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exit = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /**
   * Starts the server and waits until it accepts connections: `ready`, or `exited` when it ended first, or
   * `timeout` (the server is then stopped). A server that cannot be started at all rejects.
   */
  static async start(
    installation: PostgresInstallation,
    args: readonly string[],
    user: OsUser | undefined,
    output: ServerOutput,
    timeoutMs: number,
  ): Promise<{ outcome: 'ready'; server: ServerProcess } | { outcome: 'exited' | 'timeout' }> {
    const child = launch(installation.postgres, args, user, output);
    if (child instanceof Error) throw child;
    const server = new ServerProcess(child);
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await new Promise<'ready' | 'exited' | 'timeout'>((resolve, reject) => {
        child.once('error', (error) => reject(cannotRun(installation.postgres, error, output)));
        createInterface({ input: child.stderr! }).on('line', (line) => line.includes(READY) && resolve('ready'));
        void server.exit.then(() => resolve('exited'));
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      if (outcome === 'ready') return { outcome, server };
      if (outcome === 'timeout') await server.stop();
      return { outcome };
    } finally {
      clearTimeout(timer);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Fast shutdown (open sessions are disconnected); immediate shutdown if that hangs. Resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
    this.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), FAST_SHUTDOWN_MS)));
    if ((await Promise.race([this.exit, slow])) === 'slow') this.child.kill('SIGQUIT');
    clearTimeout(timer);
    return this.exit;
  }
}

/**
 * Spawns a PostgreSQL program, as the server's OS user when running as root, with its output going to `output`.
 * Answers the error instead of throwing when spawn() fails at once.
 */
function launch(
  program: string,
  args: readonly string[],
  user: OsUser | undefined,
  output: ServerOutput,
): ChildProcess | EmbeddedPostgresStartError {
  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      // The caller's working folder may be one the server's OS user cannot enter.
      cwd: '/',
      // Messages in English, which the launcher reads (readiness, and why a write failed).
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return cannotRun(program, error, output);
  }
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', output.write);
  return child;
}

function cannotRun(program: string, error: unknown, output: ServerOutput): EmbeddedPostgresStartError {
  // Not `instanceof Error`: the error may come from another realm (Node's own, under jest).
  const message = (error as { message?: unknown } | undefined)?.message;
  return new EmbeddedPostgresStartError(
    `could not run ${program}: ${typeof message === 'string' ? message : String(error)}`,
    output.tail(),
  );
}
