import { DueReminder, EventStore, ManualClock, RecordDueRemindersResult, StoredEvent } from '@zhenggai/application';
import { Actor, rectificationTaskDecider, taskStreamName } from '@zhenggai/domain';
import { ReminderJobs } from './reminder-jobs';
import { ReminderScheduler } from './reminder-scheduler.reactor';

const inspector: Actor = { userId: 'u-inspector', username: 'inspector', role: 'inspector' };
const HOUR = 3_600_000;

/** Tasks assigned on 1 June 2030, as the decider decides them, and the scheduler meeting them on 5 July at 08:30. */
async function scene(deadlines: readonly string[]) {
  const tasks = deadlines.map((_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
  const events: StoredEvent[] = tasks.flatMap((taskId, i) =>
    rectificationTaskDecider
      .decide(
        {
          type: 'AssignRectificationTask',
          data: {
            taskId,
            findingId: 'finding-wangyan',
            title: '旱厕未拆除',
            regionId: 'wangyan',
            category: 'roads',
            leadUnitId: 'wangyan-town',
            cooperatingUnitIds: [],
            deadline: deadlines[i]!,
            measures: '拆除',
            target: null,
            campaign: null,
            parent: null,
          },
          metadata: { actor: inspector, now: '2030-06-01T09:00:00+08:00', correlationId: 'c-1' },
        },
        rectificationTaskDecider.initialState(),
      )
      .map((event) => ({
        id: `event-${taskId}`,
        streamName: taskStreamName(taskId),
        revision: 0,
        position: BigInt(i + 1),
        type: event.type,
        data: event.data,
        metadata: {},
        recordedAt: '2030-06-01T01:00:00.000Z',
        previousHash: null,
        hash: 'h',
      })),
  );
  // Every task is assigned in the batch the scheduler meets: it reads no stream.
  const store = {} as EventStore;
  const queued: Array<{ taskId: string; levels: string[] }> = [];
  const dropped: string[] = [];
  const jobs = {
    scheduleMany: async (of: ReadonlyArray<{ taskId: string; owed: ReadonlyArray<{ level: { level: string } }> }>) =>
      void queued.push(...of.map(({ taskId, owed }) => ({ taskId, levels: owed.map((r) => r.level.level) }))),
    drop: async (taskId: string) => void dropped.push(taskId),
  } as unknown as ReminderJobs;
  const recorded: DueReminder[][] = [];
  let refused = new Set<string>();
  const recordDue = async (levels: readonly DueReminder[]): Promise<RecordDueRemindersResult> => {
    recorded.push([...levels]);
    const left = levels.filter((l) => refused.has(l.taskId));
    return { recorded: levels.length - left.length, notOwed: 0, left };
  };
  const checkpoints = { load: async () => 0n, save: async () => undefined };
  const clock = new ManualClock('2030-07-05T08:30:00+08:00');
  const scheduler = new ReminderScheduler(store, checkpoints, jobs, clock, HOUR, recordDue);
  return {
    events,
    tasks,
    scheduler,
    queued,
    recorded,
    dropped,
    refuse: (ids: string[]) => (refused = new Set(ids)),
  };
}

describe('the reminder scheduler meeting levels already due', () => {
  it('records the levels due now together, through one command, and queues only what falls due later', async () => {
    // given a task long overdue, one due today (its 到期提醒 at 09:00, within the hour), one due in weeks
    const { events, tasks, scheduler, queued, recorded } = await scene(['2030-06-30', '2030-07-05', '2030-07-31']);
    const [overdue, dueToday, later] = tasks;

    // when the scheduler meets their assignments
    await scheduler.handle(events);

    // then the levels already due are recorded at once, in one command, with the correlation their jobs would have
    // carried: the overdue task's latest, and the 提醒 three days before today's deadline
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.map((l) => [l.taskId, l.level])).toEqual([
      [overdue, expect.any(String)],
      [dueToday, 'reminder'],
    ]);
    for (const level of recorded[0]!) expect(level.correlationId).toBe(ReminderJobs.idOf(level.taskId, 0, level.level));
    // and only the 到期提醒 at 09:00 is queued as a job; the task due in weeks queues nothing yet
    expect(queued).toEqual([{ taskId: dueToday, levels: ['due_today'] }]);
    expect(queued.some((q) => q.taskId === later)).toBe(false);
  });

  it('queues as a job each level the batch left (its task written meanwhile), to be decided again', async () => {
    const { events, tasks, scheduler, queued, recorded, refuse } = await scene(['2030-06-30', '2030-06-29']);
    refuse([tasks[1]!]);

    await scheduler.handle(events);

    expect(recorded[0]!.map((l) => l.taskId)).toEqual(tasks);
    expect(queued).toEqual([{ taskId: tasks[1], levels: [recorded[0]![1]!.level] }]);
  });

  it('drops the jobs of a task cancelled a moment ago, not those of one cancelled weeks ago', async () => {
    const { events, tasks, scheduler, dropped } = await scene(['2030-07-20', '2030-07-20']);
    const cancelled = (taskId: string, at: string, position: number): StoredEvent => ({
      ...events[0]!,
      id: `cancelled-${taskId}`,
      streamName: taskStreamName(taskId),
      revision: 1,
      position: BigInt(position),
      type: 'RectificationTaskCancelled',
      data: { taskId, reason: '重复交办' },
      metadata: { occurredAt: at },
    });

    await scheduler.handle([
      ...events,
      cancelled(tasks[0]!, '2030-06-02T10:00:00+08:00', 3),
      cancelled(tasks[1]!, '2030-07-05T08:00:00+08:00', 4),
    ]);

    // (every job of a task cancelled weeks ago has run since, or finds nothing owed when it does)
    expect(dropped).toEqual([tasks[1]]);
  });
});
