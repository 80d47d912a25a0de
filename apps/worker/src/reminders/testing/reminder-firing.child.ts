// A worker process for tests that must kill it in the middle of a reminder job. Started as
// `node -r test/support/register-ts.js reminder-firing.child.ts <databaseUrl> <backend JSON> <now>`, it runs only
// the firing worker, with the clock standing at <now>; after a job has recorded its level it prints
// { recorded: <reminderId> } and waits, before BullMQ hears that the job finished, to be killed.
import { ManualClock } from '@zhenggai/application';
import { JobQueues, loadConfig, QueueBackend, REMINDERS_QUEUE, startInfrastructure } from '@zhenggai/platform';
import { ReminderFiring } from '../reminder-firing.processor';
import { ReminderJobData } from '../reminder-jobs';
import { openWorkerCommands } from '../../commands/worker-commands.module';
import { workerCommandDeps } from '../../worker.module';

async function main(): Promise<void> {
  const [url, backendJson, now] = process.argv.slice(2);
  if (!url || !backendJson || !now)
    throw new Error('usage: reminder-firing.child.ts <databaseUrl> <backend JSON> <now>');
  const clock = new ManualClock(now);
  const infra = await startInfrastructure(
    loadConfig({ DATABASE_URL: url, JWT_SECRET: 'child-process-secret-long-enough-0123456789' }),
    { clock },
  );
  const { commands } = await openWorkerCommands(workerCommandDeps(infra));
  const firing = new ReminderFiring(commands);
  const queues = new JobQueues(JSON.parse(backendJson) as QueueBackend);
  queues.worker<ReminderJobData>(
    REMINDERS_QUEUE,
    async (job, token) => {
      const outcome = await firing.process(job, token);
      if (outcome === 'recorded') {
        console.log(JSON.stringify({ recorded: `${job.data.deadlineVersion}:${job.data.level}` }));
        await new Promise(() => undefined);
      }
      return outcome;
    },
    { lockDuration: 2000, stalledInterval: 1000 },
  );
  console.log(JSON.stringify({ started: true }));
}

main().catch((error: Error) => {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
  process.exit(1);
});
