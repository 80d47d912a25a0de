import { SYSTEM_ACTOR } from '@zhenggai/domain';
import { DelayedError, Job } from 'bullmq';
import { WorkerCommands } from '../commands/worker-command';
import { RecordTaskReminderCommand } from './record-task-reminder.command';
import { ReminderJobData } from './reminder-jobs';

export type FiringOutcome = 'recorded' | 'not-owed' | 'no-task';

/**
 * A ladder level's job, when due: records the level (as the engine) through the command bus, which re-reads the task
 * and records it only if it is still owed (`recordTaskReminder`). Delivery follows from the recorded event (the
 * dispatcher).
 */
export class ReminderFiring {
  constructor(private readonly commands: WorkerCommands) {}

  async process(job: Job<ReminderJobData>, token?: string): Promise<FiringOutcome> {
    const { taskId, deadlineVersion, level } = job.data;
    const result = await this.commands.execute(
      new RecordTaskReminderCommand(
        { actor: SYSTEM_ACTOR, correlationId: job.id ?? `${taskId}:${level}`, causationId: null },
        { taskId, level, deadlineVersion },
      ),
    );
    if (result.outcome !== 'early') return result.outcome;
    // Not a job a worker holds (no lock token): nothing to move, and nothing owed yet.
    if (!token) return 'not-owed';
    // This process's clock says it is not time yet (clocks differ a little between machines).
    await job.moveToDelayed(Date.now() + result.dueInMs, token);
    throw new DelayedError();
  }
}
