import { recordTaskReminder } from '@zhenggai/application';
import {
  AssignedRectificationTask,
  DEFAULT_REMINDER_POLICY,
  remindersToSchedule,
  SYSTEM_ACTOR,
  TaskReminderFacts,
} from '@zhenggai/domain';
import { at, DemoTreeWorld, demoTreeWorld } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { OpenTaskReminders, openTaskReminders } from './reminder-facts.query';

jest.setTimeout(180_000);

/** The campaign's own ladder: two rungs, the second in hours after the deadline. */
const CAMPAIGN_LEVELS = [
  { ...DEFAULT_REMINDER_POLICY.levels[0]!, offset: { days: -5, hourOfDay: 8 } },
  { ...DEFAULT_REMINDER_POLICY.levels[2]!, offset: { hours: 12 } },
];

/**
 * What the reminders' reconciliation reads of every open task: the facts its levels are worked out from (status,
 * deadline in force and its version, the levels recorded, the pinned ladder read once by its id). On the demo story's
 * tasks (some closed or cancelled, some with deadlines moved, levels recorded, on more than one ladder) the facts owe
 * exactly what the tasks' whole states owe, at every instant; so they do while an upgrade builds the generation that
 * has the view, from the whole states.
 */
describe('the open tasks’ reminder facts', () => {
  let world: DemoTreeWorld;
  let states: Map<string, AssignedRectificationTask>;

  beforeAll(async () => {
    world = await demoTreeWorld();
    // Beside the story's tasks: two on the campaign's own ladder, levels recorded on both ladders.
    await world.deps.reminderPolicies!.define(world.campaign.campaignId, '专项催办', CAMPAIGN_LEVELS, 'admin');
    const region = (await world.infra.directory.listRegions()).find((r) => r.name === '王堰镇')!.id;
    const deps = { ...world.deps, recipients: { resolve: async () => [] } };
    const assigned = (title: string, campaignId?: string) =>
      world.assigned({
        title,
        regionId: region,
        leadUnitId: world.units.town,
        instant: at('2018-08-10'),
        deadline: '2018-09-20',
        category: 'dangerous-housing',
        campaignId,
      });
    const record = (taskId: string, level: string, instant: string) =>
      recordTaskReminder(deps, { taskId, level, deadlineVersion: 0 }, world.meta(SYSTEM_ACTOR, instant));
    const own = await assigned('专项改厕', world.campaign.campaignId);
    await assigned('专项清运', world.campaign.campaignId);
    const usual = await assigned('王堰镇清运');
    expect([
      (await record(own, 'reminder', at('2018-09-16'))).outcome,
      (await record(usual, 'due_today', at('2018-09-20'))).outcome,
    ]).toEqual(['recorded', 'recorded']);
    await projectAll(world.infra.pool, world.infra.eventStore, [tasksProjection], 'reminder_facts');
    const { rows } = await world.infra.pool.query<{ task_id: string; state: AssignedRectificationTask }>(
      'SELECT task_id, state FROM read_models.task_states',
    );
    states = new Map(rows.map((r) => [r.task_id, r.state]));
  });

  async function all(pageSize?: number, dueBy?: Date): Promise<OpenTaskReminders[]> {
    const read: OpenTaskReminders[] = [];
    for await (const page of openTaskReminders(world.infra.pool, { pageSize, dueBy })) read.push(...page);
    return read;
  }

  /** The levels `facts` owes by `until` (those due already included), as the reconciliation works them out. */
  const owedBy = (facts: TaskReminderFacts, now: string, until: Date) =>
    remindersToSchedule(facts, now).filter((r) => Date.parse(r.dueAt) <= until.getTime());

  it('answers every open task in the order of its id, with what its state says of its reminders', async () => {
    const whole = [...states.values()];
    // What makes the comparison worth making: the story has each kind of task.
    expect({
      ended: whole.some((s) => s.status === 'closed' || s.status === 'cancelled'),
      moved: whole.some((s) => s.deadlineVersion > 0),
      recorded: whole.some((s) => s.reminders.length > 0),
      ladders: new Set(whole.map((s) => JSON.stringify(s.reminderPolicy))).size > 1,
    }).toEqual({ ended: true, moved: true, recorded: true, ladders: true });

    const open = [...states].filter(([, s]) => s.status !== 'closed' && s.status !== 'cancelled');
    const read = await all();
    expect(read.map((r) => r.taskId)).toEqual(open.map(([id]) => id).sort());
    for (const { taskId, facts } of read) {
      const state = states.get(taskId)!;
      expect(facts).toEqual({
        status: state.status,
        deadline: state.deadline,
        deadlineVersion: state.deadlineVersion,
        reminders: state.reminders,
        reminderPolicy: state.reminderPolicy,
      });
      for (const now of ['2018-06-01', '2018-09-29', '2018-10-08', '2019-06-30', '2026-12-01'])
        expect(remindersToSchedule(facts, `${now}T01:00:00.000Z`)).toEqual(
          remindersToSchedule(state, `${now}T01:00:00.000Z`),
        );
    }
    // Page by page, however small the pages.
    expect(await all(2)).toEqual(read);
  });

  it('reads only the open tasks due soon enough to owe a level by an instant, leaving out none that owes', async () => {
    const every = await all();
    let left = 0;
    // Before the story's deadlines, around them (the campaign's ladder reminds five days ahead, at 08:00) and after.
    for (const now of ['2018-06-01', '2018-07-25', '2018-09-14', '2018-09-16', '2018-10-08', '2026-12-01']) {
      const at = `${now}T01:00:00.000Z`;
      const until = new Date(Date.parse(at) + 3_600_000);
      const read = await all(2, until);
      const ids = new Set(read.map((r) => r.taskId));
      for (const { taskId, facts } of every) {
        if (ids.has(taskId)) continue;
        left++;
        expect([taskId, owedBy(facts, at, until)]).toEqual([taskId, []]);
      }
      expect(read).toEqual(every.filter((r) => ids.has(r.taskId)));
    }
    // What makes it worth it: early in the story, the tasks due in the autumn are not read.
    expect(left).toBeGreaterThan(every.length);
  });

  it('answers the same from the whole states, as while an upgrade builds the generation with the view', async () => {
    const { pool } = world.infra;
    const read = await all(3);
    const definition = (await pool.query(`SELECT pg_get_viewdef('read_models.task_reminder_facts') AS d`)).rows[0]!
      .d as string;
    await pool.query('DROP VIEW read_models.task_reminder_facts');
    try {
      const fromStates = await all(3);
      expect(fromStates.map((r) => r.taskId)).toEqual(read.map((r) => r.taskId));
      for (const [i, { facts }] of fromStates.entries()) {
        const state = facts as AssignedRectificationTask;
        expect({
          status: state.status,
          deadline: state.deadline,
          deadlineVersion: state.deadlineVersion,
          reminders: state.reminders,
          reminderPolicy: state.reminderPolicy,
        }).toEqual(read[i]!.facts);
      }
    } finally {
      await pool.query(`CREATE VIEW read_models.task_reminder_facts AS ${definition}`);
    }
  });
});
