import type { QueueBackend } from '@zhenggai/platform';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REGISTER_TS = path.resolve(__dirname, '../../../../../test/support/register-ts.js');
const CHILD = path.resolve(__dirname, 'worker.child.ts');

/** The steps a worker process can be killed at (worker.child.ts says what each is). */
const WORKER_STEPS = [
  'level-recorded',
  'notices-recorded',
  'notices-queued',
  'notice-sent',
  'notice-delivered',
  'notice-sent-at-once',
  'notice-delivered-at-once',
] as const;

export type WorkerStep = (typeof WORKER_STEPS)[number];

export const isWorkerStep = (step: string | undefined): step is WorkerStep =>
  (WORKER_STEPS as readonly string[]).includes(step ?? '');

/** What the process said on stopping: its step, and what it had done (a reminder's id, a delivery's id, a count). */
export interface Stopped {
  readonly stopped: WorkerStep;
  readonly recorded?: string | number;
  readonly queued?: number;
  readonly deliveryId?: string;
}

/**
 * A dead worker's job runs again within seconds (BullMQ's defaults wait 30 s); every worker of a test uses the same,
 * since the stalled-job check is paced by whichever worker ran it last. What a worker sends at once is held for it in
 * the ledger for no time (not the grace that lets a live worker finish it), so a dead worker's is queued by the next
 * reconciliation.
 */
export const QUICK_RECOVERY = { lockDurationMs: 2000, stalledIntervalMs: 1000, directGraceMs: 0 };

/**
 * Runs worker.child.ts in a process of its own until it stops at `step` (of `taskId`'s notices), and kills it there
 * (SIGKILL): answers what it said on stopping. `env` is its configuration (DATABASE_URL, …), `now` its clock. If it
 * ends, fails or has not got there within `timeoutMs`, it is killed and this throws, with what it wrote on stderr.
 */
export async function killedAt(
  step: WorkerStep,
  options: {
    readonly backend: QueueBackend;
    readonly now: string;
    readonly env: Readonly<Record<string, string>>;
    readonly taskId?: string;
    readonly timeoutMs?: number;
  },
): Promise<Stopped> {
  const { backend, now, env, taskId, timeoutMs = 90_000 } = options;
  const child = spawn(
    process.execPath,
    ['-r', REGISTER_TS, CHILD, JSON.stringify(backend), now, step, ...(taskId ? [taskId] : [])],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()).once('error', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const lines = createInterface({ input: child.stdout });
  try {
    for await (const text of lines) {
      let line: { stopped?: string; error?: string; message?: string };
      try {
        line = JSON.parse(text);
      } catch {
        continue; // a log line
      }
      if (line.error) throw new Error(`the worker process failed: ${line.message}`);
      if (line.stopped === step) return line as Stopped;
    }
    const why = timedOut ? `had not got there within ${timeoutMs} ms` : 'ended';
    throw new Error(`the worker process ${why} before ${step}; its stderr:\n${stderr}`);
  } finally {
    clearTimeout(timer);
    lines.close();
    child.kill('SIGKILL');
    await exited;
  }
}
