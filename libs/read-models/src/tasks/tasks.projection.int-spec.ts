import { StoredEvent } from '@zhenggai/application';
import {
  AssignedRectificationTask,
  RectificationTaskEvent,
  rectificationTaskDecider,
  RectificationTaskState,
} from '@zhenggai/domain';
import { Infrastructure, loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { scoreboardByUnit, scoreboardFromEvents } from '../../../../test/support/scoreboard-from-events';
import { quantitiesFromEvents } from '../../../../test/support/quantities-from-events';
import { createTestDatabase } from '../../../../test/support/test-database';
import { auditEntries } from '../queries/audit.query';
import { campaignProgress, CampaignDefinition } from '../queries/campaign-progress.query';
import { Light, TaskQueries } from '../queries/task-queries';
import { projectAll } from '../testing/project-all';
import { auditProjection } from '../audit/audit.projection';
import { tasksProjection } from './tasks.projection';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';

/** What the demo story implies, computed straight from the events with nothing but the event types. */
function independently(events: readonly StoredEvent[], campaignId: string, at: Date) {
  const until = events.filter((e) => Date.parse(e.metadata.occurredAt) <= at.getTime());
  const tasks = new Map<
    string,
    { status: string; deadline: string; done: number | null; closedAt: string | null; target: number }
  >();
  for (const e of until) {
    const t = tasks.get(e.data.taskId);
    switch (e.type) {
      case 'RectificationTaskAssigned':
        if (e.data.campaignId === campaignId)
          tasks.set(e.data.taskId, {
            status: 'assigned',
            deadline: e.data.deadline,
            done: null,
            closedAt: null,
            target: e.data.target?.quantity ?? 0,
          });
        break;
      case 'RectificationTaskAccepted':
        if (t) t.status = 'accepted';
        break;
      case 'RectificationTaskPlanRecorded':
      case 'RectificationTaskProgressReported':
        if (t) {
          t.status = 'in_progress';
          if (e.data.quantityDone !== null && e.data.quantityDone !== undefined) t.done = e.data.quantityDone;
        }
        break;
      case 'RectificationTaskSubmitted':
        if (t) {
          t.status = 'submitted';
          if (e.data.quantityDone !== null) t.done = e.data.quantityDone;
        }
        break;
      case 'RectificationTaskSentBack':
        if (t) t.status = 'in_progress';
        break;
      case 'RectificationTaskVerified':
        if (t) {
          t.status = 'closed';
          t.closedAt = e.metadata.occurredAt;
        }
        break;
      case 'RectificationTaskExtensionApproved':
        if (t) t.deadline = e.data.newDeadline;
        break;
      case 'RectificationTaskReassigned':
        if (t) t.status = 'assigned';
        break;
      case 'RectificationTaskCancelled':
        if (t) t.status = 'cancelled';
        break;
    }
  }
  const due = (deadline: string) => Date.parse(`${deadline}T00:00:00+08:00`) + 86_400_000;
  const all = [...tasks.values()];
  const open = all.filter((t) => t.status !== 'closed' && t.status !== 'cancelled');
  return {
    tasks: all.length,
    open: open.length,
    closed: all.filter((t) => t.status === 'closed').length,
    closedOnTime: all.filter((t) => t.status === 'closed' && Date.parse(t.closedAt!) < due(t.deadline)).length,
    overdue: open.filter((t) => at.getTime() >= due(t.deadline)).length,
  };
}

describe('the tasks read model over the demo story', () => {
  let drop: () => Promise<void>;
  let infra: Infrastructure;
  let events: StoredEvent[];
  let dangerousHousing: CampaignDefinition;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    infra = await closedAfterThisFile(
      startInfrastructure(loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(40) })),
      (i) => i.close(),
    );
    await seedDemo(infra);
    await projectAll(infra.pool, infra.eventStore, [tasksProjection, auditProjection]);
    events = await infra.eventStore.readAll({ maxCount: 100_000 });
    const launched = events.find((e) => e.type === 'CampaignLaunched' && e.data.name === '危房改造清零')!;
    dangerousHousing = { ...launched.data, launchedAt: launched.metadata.occurredAt };
  });
  afterAll(async () => {
    await infra?.close();
    await drop?.();
  });

  it.each([
    // The county, its three towns, and the two villages the towns handed shares to.
    ['at the deadline, 2018-09-30 23:59:59', '2018-09-30T23:59:59+08:00', { tasks: 6, overdue: 0, closed: 3 }],
    ['a second later, when it has fallen due', '2018-10-01T00:00:00+08:00', { tasks: 6, overdue: 3, closed: 3 }],
    ['on 20 September', '2018-09-20T12:00:00+08:00', { tasks: 6, overdue: 0, closed: 1 }],
    ['after the late sign-off', '2018-10-10T00:00:00+08:00', { tasks: 6, overdue: 0, closed: 6 }],
  ])('gives the dangerous-housing campaign as it stood %s', async (_, instant, expected) => {
    const at = new Date(instant);
    const progress = await campaignProgress(infra.pool, dangerousHousing, at);
    const truth = independently(events, dangerousHousing.campaignId, at);
    expect(truth).toMatchObject(expected);
    expect(progress.totals).toMatchObject({
      tasks: truth.tasks,
      open: truth.open,
      closed: truth.closed,
      closedOnTime: truth.closedOnTime,
      overdue: truth.overdue,
    });
    // Quantities as trees count them: each tree once, at its top-level task, its work rolled up.
    expect(progress.quantities).toEqual(quantitiesFromEvents(events, dangerousHousing.campaignId, at).quantities);
    expect(progress.quantities.map((q) => q.target)).toEqual([313]);
  });

  it(
    'shows at the deadline that Wangjiaba (the town 84 of its own 92 households, its village 34 of 40) is behind, ' +
      'and the county above them: yellow, red a second later',
    async () => {
      const atDeadline = await campaignProgress(infra.pool, dangerousHousing, new Date('2018-09-30T23:59:59+08:00'));
      expect(atDeadline.daysLeft).toBe(0);
      const unit = (name: string) => atDeadline.byUnit.find((u) => u.unitName === name);
      expect(unit('王家坝镇人民政府')).toMatchObject({ open: 1, quantityDone: 84, quantityTarget: 92 });
      expect(unit('王家坝村民委员会')).toMatchObject({ open: 1, quantityDone: 34, quantityTarget: 40 });
      expect(unit('王堰镇人民政府')).toMatchObject({ open: 0, quantityDone: 62, quantityTarget: 62 });
      // Behind by the regions' rule: a task due and not signed off (or, from the deadline, done below target).
      expect(
        atDeadline.byUnit
          .filter((u) => u.behind)
          .map((u) => u.unitName)
          .sort(),
      ).toEqual(['王家坝村民委员会', '王家坝镇人民政府', '阜南县住房和城乡建设局'].sort());
      const queries = new TaskQueries(infra.pool);
      const before = await queries.list(
        { campaignId: dangerousHousing.campaignId },
        { page: 1, pageSize: 10 },
        { at: new Date('2018-09-30T23:59:59+08:00'), warningDays: 3 },
      );
      expect(before.summary).toMatchObject({ yellow: 3, closed_on_time: 3, red: 0 });
      const after = await queries.list(
        { campaignId: dangerousHousing.campaignId },
        { page: 1, pageSize: 10 },
        { at: new Date('2018-10-01T00:00:00+08:00'), warningDays: 3 },
      );
      expect(after.summary).toMatchObject({ red: 3, closed_on_time: 3 });
      expect(after.items.filter((t) => t.light === 'red').map((t) => t.title)).toEqual(
        expect.arrayContaining(['阜南县危房改造清零', '王家坝镇危房改造清零', '王家坝村危房改造']),
      );
    },
  );

  it('burns down day by day from the launch to the as-of day', async () => {
    const progress = await campaignProgress(infra.pool, dangerousHousing, new Date('2018-10-10T00:00:00+08:00'));
    const day = (date: string) => progress.burndown.find((d) => d.date === date);
    expect(progress.burndown[0].date).toBe('2018-07-18');
    // The city's task to the county on the 18th; the towns' shares on the 19th, the villages' on the 20th.
    expect(day('2018-07-18')).toMatchObject({ open: 1, closed: 0 });
    expect(day('2018-07-20')).toMatchObject({ open: 6, closed: 0 });
    expect(day('2018-09-24')).toMatchObject({ open: 4, closed: 2 });
    expect(day('2018-09-30')).toMatchObject({ open: 3, closed: 3, overdue: 0 });
    expect(day('2018-10-01')).toMatchObject({ open: 3, overdue: 3 });
    expect(day('2018-10-09')).toMatchObject({ open: 0, closed: 6 });
  });

  it('keeps the deadline as it was then: the approved extension shows only after its approval', async () => {
    const queries = new TaskQueries(infra.pool);
    const industry = (at: string) =>
      queries.list({ text: '流转土地' }, { page: 1, pageSize: 5 }, { at: new Date(at), warningDays: 3 });
    expect((await industry('2018-07-10T12:00:00+08:00')).items[0].deadline).toBe('2018-07-15');
    const later = (await industry('2018-07-12T12:00:00+08:00')).items[0];
    expect(later).toMatchObject({ deadline: '2018-07-31', originalDeadline: '2018-07-15' });
  });

  it('finds a task by its measures, also while an upgrade builds the generation that keeps them as text', async () => {
    const now = { at: new Date(), warningDays: 3, current: true };
    const then = { at: new Date('2018-07-12T12:00:00+08:00'), warningDays: 3 };
    // 开工建设 is in a task's measures (流转土地，开工建设扶贫车间), not in any title.
    const search = async (queries = new TaskQueries(infra.pool)) =>
      Promise.all(
        [now, then].flatMap((options) => [
          queries.list({ text: '开工建设' }, { page: 1, pageSize: 5 }, options),
          queries.ids({ text: '开工建设' }, options, 5),
        ]),
      );
    const found = await search();
    expect(found[0]).toMatchObject({ total: 1, items: [{ title: '产业发展薄弱，土地零散撂荒' }] });
    expect(found[2]).toMatchObject({ total: 1, items: [{ title: '产业发展薄弱，土地零散撂荒' }] });
    expect(found[1]).toEqual([(found[0] as { items: Array<{ id: string }> }).items[0]!.id]);
    // A generation of the tasks read model before version 19 has no `task_measures`: the measures are read from the
    // states, merged with their ladders.
    const { rows } = await infra.pool.query("SELECT pg_get_viewdef('read_models.task_measures') AS d");
    await infra.pool.query('DROP VIEW read_models.task_measures');
    try {
      expect(await search()).toEqual(found);
    } finally {
      await infra.pool.query(`CREATE VIEW read_models.task_measures AS ${rows[0].d}`);
    }
  });

  it('scores units: on-time closes, late closes, send-backs', async () => {
    const board = await new TaskQueries(infra.pool).scoreboard(new Date('2019-02-01T00:00:00+08:00'));
    const wangyan = board.find((u) => u.unitName === '王堰镇人民政府')!;
    // 王堰镇 led: housing (on time), ponds (late, one send-back), industry (on time after extension),
    // dangerous housing (on time), 四个一 (late).
    expect(wangyan).toMatchObject({
      open: 0,
      closed: 5,
      closedOnTime: 3,
      closedLate: 2,
      sendBacks: 1,
      onTimeRate: 0.6,
    });
  });

  it.each([
    '2018-07-10T12:00:00+08:00',
    '2018-07-25T12:00:00+08:00',
    '2018-09-30T23:59:59+08:00',
    '2019-02-01T00:00:00+08:00',
    'now',
  ])('scores every unit as the events say, as of %s', async (instant) => {
    const at = instant === 'now' ? new Date() : new Date(instant);
    expect(scoreboardByUnit(await new TaskQueries(infra.pool).scoreboard(at))).toEqual(
      scoreboardFromEvents(events, at),
    );
  });

  it('sums the light summary from per-deadline counts exactly as counting the tasks does', async () => {
    const queries = new TaskQueries(infra.pool);
    const now = new Date();
    const units = [
      ...new Set(events.filter((e) => e.type === 'RectificationTaskAssigned').map((e) => e.data.leadUnitId as string)),
    ];
    const filters = [
      {},
      { campaignId: dangerousHousing.campaignId },
      { status: ['in_progress'] },
      { overdue: true },
      { overdue: false },
      { light: ['yellow', 'red'] as Light[] },
      { dueBefore: '2018-09-30', dueAfter: '2018-07-01' },
    ];
    const regions = (await infra.directory.listRegions()).map((r) => ({ regionId: r.id }));
    for (const filter of [...filters, ...regions, ...units.map((unitId) => ({ unitId, overdue: true }))]) {
      const fromCounts = await queries.list(
        filter,
        { page: 1, pageSize: 1 },
        { at: now, warningDays: 3, current: true },
      );
      const counted = await queries.list(filter, { page: 1, pageSize: 1 }, { at: now, warningDays: 3, current: false });
      expect(fromCounts.summary).toEqual(counted.summary);
    }
    const all = await queries.list({}, { page: 1, pageSize: 1 }, { at: now, warningDays: 3, current: true });
    expect(all.total).toBe(units.length > 0 ? events.filter((e) => e.type === 'RectificationTaskAssigned').length : 0);
  });

  it('gives each task’s state as its events fold, its pinned ladder included, each ladder kept once', async () => {
    const queries = new TaskQueries(infra.pool);
    const folded = new Map<string, RectificationTaskState>();
    for (const e of events.filter((e) => e.type.startsWith('RectificationTask')))
      folded.set(
        e.data.taskId,
        rectificationTaskDecider.evolve(
          folded.get(e.data.taskId) ?? rectificationTaskDecider.initialState(),
          e as unknown as RectificationTaskEvent,
        ),
      );
    expect(folded.size).toBeGreaterThan(10);
    for (const [taskId, state] of folded) {
      // What only deciding needs is not kept (see the projection).
      const { assignment: _assignment, lastProgress: _lastProgress, ...kept } = state as AssignedRectificationTask;
      expect((await queries.taskState(taskId))?.state).toEqual(kept);
    }
    const ladders = new Set(
      events.filter((e) => e.type === 'RectificationTaskAssigned').map((e) => JSON.stringify(e.data.reminderPolicy)),
    );
    const { rows } = await infra.pool.query('SELECT count(*)::int AS n FROM proj_tasks_test.task_ladders');
    expect(rows[0].n).toBe(ladders.size);
  });

  it('begins a version only where what a version row holds changed, and lists each task at its revision', async () => {
    const { rows } = await infra.pool.query(`SELECT * FROM proj_tasks_test.task_versions ORDER BY task_id, version`);
    const sameness = ({ version, position, valid_from, valid_to, sent_back, ...content }: Record<string, unknown>) =>
      JSON.stringify(content);
    for (const [i, row] of rows.entries()) {
      const before = rows[i - 1];
      if (before?.task_id !== row.task_id) continue;
      // Each version ends where the next begins, and differs from it (or was begun by a send-back).
      expect(before.valid_to).toEqual(row.valid_from);
      if (!row.sent_back) expect(sameness(row)).not.toBe(sameness(before));
    }
    // The extension asked for added no version: the one it was asked in lasted until the approval.
    const queries = new TaskQueries(infra.pool);
    const now = { at: new Date(), warningDays: 3, current: true };
    const taskId = (await queries.list({ text: '流转土地' }, { page: 1, pageSize: 5 }, now)).items[0].id;
    const ofTask = events.filter((e) => e.data?.taskId === taskId);
    const requested = ofTask.find((e) => e.type === 'RectificationTaskExtensionRequested')!;
    const approved = ofTask.find((e) => e.type === 'RectificationTaskExtensionApproved')!;
    const versions = rows.filter((r) => r.task_id === taskId).map((r) => r.version);
    expect(versions).not.toContain(requested.revision);
    expect(versions).toContain(approved.revision);
    // The hand-over list still finds the deadline the approval replaced.
    const list = await queries.handOverList(
      new Date(approved.metadata.occurredAt),
      new Date(Date.parse(approved.metadata.occurredAt) + 1),
      { regionId: null, campaignId: null },
      10,
    );
    expect(list.extensions.rows).toEqual([
      expect.objectContaining({ taskId, previousDeadline: '2018-07-15', deadline: '2018-07-31' }),
    ]);
    // Every task listed answers its stream's revision, as its ETag does.
    const latest = new Map<string, number>();
    for (const e of events) if (e.type.startsWith('RectificationTask')) latest.set(e.data.taskId, e.revision);
    const listed = await queries.list({}, { page: 1, pageSize: 200 }, now);
    expect(listed.items.length).toBe(latest.size);
    for (const item of listed.items) expect(item.revision).toBe(latest.get(item.id));
  });

  it('lists who did what across streams', async () => {
    const audit = await auditEntries(
      infra.pool,
      { actor: 'wangjiaba', from: new Date('2018-09-01T00:00:00+08:00'), to: new Date('2018-10-31T00:00:00+08:00') },
      { page: 1, pageSize: 50 },
    );
    expect(audit.items.map((e) => e.type)).toEqual([
      // At the deadline its report; then it signs off its village's share (验收) before it submits its own.
      'RectificationTaskProgressReported',
      'RectificationTaskVerified',
      'RectificationTaskSubmitted',
    ]);
  });
});
