import { DataFolderError } from '@zhenggai/postgres';
import { ConfigurationError, DEFAULT_SHUTDOWN_GRACE_SECONDS, loadConfig } from '../config/app-config';
import { shutdownStep, shutdownStepsUnderWay } from './shutdown-steps';

/** One step of a process's shutdown: its name (said when it is abandoned) and what it closes. */
export type ClosingStep = readonly [name: string, close: () => Promise<unknown>];

export interface Running {
  /** What the process closes on SIGINT / SIGTERM, in this order (the app first, then the stores). */
  readonly closing: readonly ClosingStep[];
  /** How long a shutdown may take before it abandons the step in progress (`SHUTDOWN_GRACE_SECONDS`). */
  readonly graceMs: number;
}

/**
 * After the grace period, how long each step not yet begun still gets (the stores: the embedded PostgreSQL above all).
 */
const LAST_CHANCE_MS = 5_000;

/**
 * Start a process and stop it on SIGINT / SIGTERM, closing its steps in order. The shutdown is bounded: a step
 * still under way after the grace period (a queue waiting for a Redis that is gone) is abandoned, the steps
 * after it are closed as far as they can be within a few seconds each, and the process exits with code 1,
 * naming what it abandoned. A second signal ends it at once.
 * A configuration problem, or a data folder that cannot be used, ends the process with a message that says what
 * to do, not a stack trace.
 */
export function runProcess(name: string, start: () => Promise<Running>): void {
  let running: Running | null = null;
  let stopping: string | null = null;
  const stop = async (signal: string) => {
    console.log(`${name}: ${signal} received, stopping…`);
    const { failures, abandoned, graceMs } = await closeWithin(running!);
    if (abandoned.length > 0) {
      console.error(
        `${name}: not stopped within ${graceMs / 1000} s of ${signal} ` +
          `(SHUTDOWN_GRACE_SECONDS); closed what it could and abandoned: ${abandoned.join('; ')}`,
      );
    }
    for (const failure of failures) console.error(`${name}: error while stopping`, failure);
    process.exit(abandoned.length > 0 || failures.length > 0 ? 1 : 0);
  };
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = signal;
    if (running) return void stop(signal);
    // Still starting (waiting for a store that is away, say): it stops once started, or gives the start up.
    const graceMs = configuredGraceMs();
    console.log(`${name}: ${signal} received while starting, stopping once started…`);
    setTimeout(() => {
      console.error(
        `${name}: still starting ${graceMs / 1000} s after ${signal} (SHUTDOWN_GRACE_SECONDS); abandoned the start`,
      );
      process.exit(1);
    }, graceMs).unref();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  start()
    .then((r) => {
      running = r;
      if (stopping) void stop(stopping);
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigurationError || error instanceof DataFolderError)
        console.error(`${name}: ${error.message}`);
      else console.error(`${name}: failed to start`, error);
      process.exit(1);
    });
}

/** SHUTDOWN_GRACE_SECONDS as the configuration reads it, for a signal that comes before the configuration is read. */
function configuredGraceMs(): number {
  try {
    return loadConfig().shutdownGraceSeconds * 1000;
  } catch {
    return DEFAULT_SHUTDOWN_GRACE_SECONDS * 1000; // the start fails on the configuration anyway
  }
}

/**
 * Closes the steps in order, each as a named shutdown step. The first that is still under way when the grace
 * period ends is abandoned (with whatever it waits for inside); each later one still gets `LAST_CHANCE_MS`.
 */
async function closeWithin(running: Running): Promise<{ failures: unknown[]; abandoned: string[]; graceMs: number }> {
  const { graceMs } = running;
  const deadline = Date.now() + graceMs;
  const failures: unknown[] = [];
  const abandoned: string[] = [];
  for (const [stepName, close] of running.closing) {
    const allowedMs = abandoned.length > 0 ? LAST_CHANCE_MS : Math.max(0, deadline - Date.now());
    const outcome = await within(allowedMs, shutdownStep(stepName, close));
    if (outcome === 'timed out') abandoned.push(...shutdownStepsUnderWay().filter((step) => step.startsWith(stepName)));
    else if (outcome !== 'closed') failures.push(outcome.failure);
  }
  return { failures, abandoned, graceMs };
}

async function within(ms: number, closing: Promise<unknown>): Promise<'closed' | 'timed out' | { failure: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([
      closing.then(
        () => 'closed' as const,
        (failure: unknown) => ({ failure }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
