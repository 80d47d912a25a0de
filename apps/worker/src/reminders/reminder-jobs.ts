import { OwedReminder, remindersToSchedule, TaskReminderFacts } from '@zhenggai/domain';
import { AnyQueue, jobIdOf } from '@zhenggai/platform';

export interface ReminderJobData {
  readonly taskId: string;
  readonly deadlineVersion: number;
  readonly level: string;
  readonly dueAt: string;
}

/**
 * The levels a task still owes that fall due by `now + horizonMs` (those already due included): the ones to have queued
 * now.
 */
export function owedWithin(state: TaskReminderFacts, now: Date, horizonMs: number): OwedReminder[] {
  const until = now.getTime() + horizonMs;
  return remindersToSchedule(state, now.toISOString()).filter((r) => Date.parse(r.dueAt) <= until);
}

/** The delayed jobs of the ladder: one per task, deadline version and level, with a deterministic id. */
export class ReminderJobs {
  constructor(private readonly queue: AnyQueue) {}

  static idOf(taskId: string, deadlineVersion: number, level: string): string {
    return jobIdOf('reminder', taskId, deadlineVersion, level);
  }

  /**
   * Queues the jobs of several tasks in one round trip; a job already queued keeps its place. `nowMs` sets their
   * delays.
   */
  async scheduleMany(
    tasks: ReadonlyArray<{ taskId: string; owed: readonly OwedReminder[] }>,
    nowMs: number,
  ): Promise<void> {
    const jobs = tasks.flatMap(({ taskId, owed }) =>
      owed.map((r) => ({ name: 'fire', data: this.dataOf(taskId, r), opts: this.optionsOf(taskId, r, nowMs) })),
    );
    for (let i = 0; i < jobs.length; i += 1000) await this.queue.addBulk(jobs.slice(i, i + 1000));
  }

  private dataOf(taskId: string, r: OwedReminder): ReminderJobData {
    return { taskId, deadlineVersion: r.deadlineVersion, level: r.level.level, dueAt: r.dueAt };
  }

  private optionsOf(taskId: string, r: OwedReminder, nowMs: number) {
    return {
      jobId: ReminderJobs.idOf(taskId, r.deadlineVersion, r.level.level),
      delay: Math.max(0, Date.parse(r.dueAt) - nowMs),
      attempts: 10,
      backoff: { type: 'exponential' as const, delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 86_400 },
    };
  }

  /** Adds the jobs that are not queued yet, one by one; returns how many were missing (the reconciliation's count). */
  async ensure(taskId: string, owed: readonly OwedReminder[], nowMs: number): Promise<number> {
    let added = 0;
    for (const r of owed) {
      const jobId = ReminderJobs.idOf(taskId, r.deadlineVersion, r.level.level);
      if (await this.queue.getJob(jobId)) continue;
      await this.queue.add('fire', this.dataOf(taskId, r), this.optionsOf(taskId, r, nowMs));
      added++;
    }
    return added;
  }

  /** Drops queued jobs that can no longer be owed (an older deadline, a closed task). */
  async drop(taskId: string, deadlineVersions: readonly number[], levels: readonly string[]): Promise<void> {
    for (const version of deadlineVersions) {
      for (const level of levels) {
        // A job running right now cannot be removed; it will find nothing owed and record nothing.
        await this.queue.remove(ReminderJobs.idOf(taskId, version, level)).catch(() => 0);
      }
    }
  }
}
