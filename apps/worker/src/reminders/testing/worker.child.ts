// A worker process for tests that kill it at an exact step of its work (started by `killedAt`, worker-process.ts):
// `node -r test/support/register-ts.js worker.child.ts <backend JSON> <now> <step> [taskId]`, configured from its
// environment as the worker is (DATABASE_URL; SMTP_URL, MAIL_FROM and PUBLIC_URL for notices), its clock standing at
// <now>. At <step> it prints { stopped: <step>, ... } and freezes: nothing more of it runs (no other job, no lock
// renewal, no checkpoint) until it is killed.
import { ChannelAddress, ManualClock } from '@zhenggai/application';
import { Infrastructure, JobQueues, loadConfig, NOTIFICATIONS_QUEUE, QueueBackend } from '@zhenggai/platform';
import { REMINDERS_QUEUE, startInfrastructure } from '@zhenggai/platform';
import { writeSync } from 'node:fs';
import { ReminderFiring } from '../reminder-firing.processor';
import { ReminderJobData } from '../reminder-jobs';
import { openWorkerCommands } from '../../commands/worker-commands.module';
import { reminderEngineOf, workerCommandDeps } from '../../worker.module';
import { WorkerCommands } from '../../commands/worker-command';
import { isWorkerStep, WorkerStep } from './worker-process';

/** A dead worker's job runs again within seconds of the kill (BullMQ's defaults wait 30 s). */
const QUICK_LOCKS = { lockDuration: 2000, stalledInterval: 1000 };

async function main(): Promise<void> {
  const [backendJson, now, step, taskId] = process.argv.slice(2);
  if (!backendJson || !now || !isWorkerStep(step))
    throw new Error('usage: worker.child.ts <backend JSON> <now> <step> [taskId]');
  const infra = await startInfrastructure(
    loadConfig({ JWT_SECRET: 'child-process-secret-long-enough-0123456789', ...process.env }),
    { clock: new ManualClock(now) },
  );
  const { commands } = await openWorkerCommands(workerCommandDeps(infra));
  const queues = new JobQueues(JSON.parse(backendJson) as QueueBackend);
  if (step === 'level-recorded') firing(commands, queues);
  else if (taskId) await notices(infra, commands, queues, step, taskId);
  else throw new Error(`${step} needs the task whose notices it stops at`);
  console.log(JSON.stringify({ started: true }));
}

/** The firing worker alone; it stops once a job has recorded its level, before BullMQ hears the job finished. */
function firing(commands: WorkerCommands, queues: JobQueues): void {
  const firing = new ReminderFiring(commands);
  queues.worker<ReminderJobData>(
    REMINDERS_QUEUE,
    async (job, token) => {
      const outcome = await firing.process(job, token);
      if (outcome === 'recorded') stop('level-recorded', { recorded: `${job.data.deadlineVersion}:${job.data.level}` });
      return outcome;
    },
    QUICK_LOCKS,
  );
}

/**
 * The hand-over notifier and the delivery worker (one job at a time, one message at a time, so one delivery is in hand
 * when it stops), as the worker wires them, every batch queued; or, for the steps `…-at-once`, the notifier sending
 * one batch at once (the first it recorded: the first webhook's) and queuing the others, with no delivery worker. It
 * stops at `step` of the task's notices:
 * - `notices-recorded`: the notifier has written them to the ledger, and neither queued them nor saved its checkpoint;
 * - `notices-queued`: it has queued them (a job per batch), and not saved its checkpoint;
 * - `notice-sent`: a JSON webhook took one (answered 200), and the ledger does not say it is delivered;
 * - `notice-delivered`: the ledger says one is delivered, the rest of its batch is not sent, and BullMQ has not heard
 *   that its job finished;
 * - `notice-sent-at-once`, `notice-delivered-at-once`: the same, of the batch sent at once (no job has it).
 */
async function notices(
  infra: Infrastructure,
  commands: WorkerCommands,
  queues: JobQueues,
  step: Exclude<WorkerStep, 'level-recorded'>,
  taskId: string,
): Promise<void> {
  const atOnce = step.endsWith('-at-once');
  const engine = reminderEngineOf(infra, commands, {
    queues,
    deliveryLanes: 1,
    // Sent at once, its batch is held for it for no time: the next worker finds it as it would once the grace is over.
    ...(atOnce ? { directBatches: 1, directGraceMs: 0 } : { directDelivery: false }),
  });
  const { deliveries } = infra; // the notifier's ledger and the delivery processor's
  const ours = new Map<string, ChannelAddress>();
  /** The batches that hold the task's pending notices. */
  const ourBatches = new Set<string>();

  const record = deliveries.record.bind(deliveries);
  deliveries.record = async (wanted) => {
    const pending = await record(wanted);
    const theirs = wanted.filter((d) => d.taskId === taskId);
    for (const d of theirs) ours.set(d.id, d.address);
    for (const d of pending) if (ours.has(d.id)) ourBatches.add(d.batch);
    if (step === 'notices-recorded' && theirs.length > 0) stop(step, { recorded: theirs.length });
    return pending;
  };
  const enqueue = engine.deliveryJobs.enqueue.bind(engine.deliveryJobs);
  engine.deliveryJobs.enqueue = async (batches) => {
    await enqueue(batches);
    const queued = batches.filter((b) => ourBatches.has(b.batch)).length;
    if (step === 'notices-queued' && queued > 0) stop(step, { queued });
  };
  const markDelivered = deliveries.markDelivered.bind(deliveries);
  deliveries.markDelivered = async (id) => {
    const address = ours.get(id);
    const json = address?.kind === 'webhook' && address.format === 'json';
    if ((step === 'notice-sent' || step === 'notice-sent-at-once') && json) stop(step, { deliveryId: id });
    await markDelivered(id);
    if ((step === 'notice-delivered' || step === 'notice-delivered-at-once') && address) stop(step, { deliveryId: id });
  };

  if (!atOnce)
    queues.worker(NOTIFICATIONS_QUEUE, (job, token) => engine.delivery.process(job as never, token), {
      ...QUICK_LOCKS,
      concurrency: 1,
    });
  await queues.ready();
  await engine.notifier.start();
}

/** Says where it stopped and freezes the whole process, its event loop included, until it is killed. */
function stop(step: WorkerStep, what: Record<string, unknown>): never {
  writeSync(1, `${JSON.stringify({ stopped: step, ...what })}\n`);
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

main().catch((error: Error) => {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
  process.exit(1);
});
