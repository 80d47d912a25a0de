import { assignTask, executeTaskCommand, fileFinding, StoredEvent, TaskLifecycleCommand } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { directoryFixtures, Infrastructure, loadConfig, startInfrastructure, useCaseDeps } from '@zhenggai/platform';
import { randomUUID } from 'node:crypto';
import { scoreboardByUnit, scoreboardFromEvents } from '../../../../test/support/scoreboard-from-events';
import { createTestDatabase } from '../../../../test/support/test-database';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { TaskQueries } from './task-queries';

jest.setTimeout(60_000);

const at = (date: string, time = '10:00') => `${date}T${time}:00+08:00`;

/**
 * The scoreboard after tasks change hands (改派): a send-back stays with the unit whose work was sent back, the
 * days to close are the closing unit's own, and what is open or overdue is the unit's that holds it now.
 */
describe('the unit scoreboard across reassignments', () => {
  let drop: () => Promise<void>;
  let infra: Infrastructure;
  let events: StoredEvent[];
  const regionId = randomUUID();
  const [unitA, unitB, unitC] = [randomUUID(), randomUUID(), randomUUID()];
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null };
  const member = (unitId: string): Actor => ({
    userId: randomUUID(),
    username: `unit-${unitId.slice(0, 4)}`,
    role: 'unit',
    unitId,
  });
  const [a, b, c] = [member(unitA), member(unitB), member(unitC)];
  const tasks: Record<'handedOver' | 'overdueHandedOver' | 'quick' | 'cancelled', string> = {
    handedOver: '',
    overdueHandedOver: '',
    quick: '',
    cancelled: '',
  };

  async function run(
    actor: Actor,
    instant: string,
    taskId: string,
    type: TaskLifecycleCommand['type'],
    data: object,
  ): Promise<void> {
    const metadata = { actor, now: new Date(instant).toISOString(), correlationId: randomUUID(), causationId: null };
    await executeTaskCommand(useCaseDeps(infra), taskId, { type, data, metadata } as TaskLifecycleCommand);
  }
  const evidence = [{ ref: 'demo/report.pdf', name: '整改报告' }];
  const start = async (actor: Actor, instant: string, taskId: string) => {
    await run(actor, instant, taskId, 'AcceptRectificationTask', {});
    await run(actor, instant, taskId, 'RecordRectificationPlan', { plan: '逐户拆除' });
  };
  const submit = (actor: Actor, instant: string, taskId: string) =>
    run(actor, instant, taskId, 'SubmitRectification', { report: '已整改', evidence, quantityDone: null });

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    infra = await startInfrastructure(loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(40) }));
    await directoryFixtures.region(infra, { id: regionId, code: '341225113', name: '王堰镇', level: 'town' });
    await directoryFixtures.category(infra, { code: 'sanitation', name: '改厕' });
    for (const [id, name] of [
      [unitA, '甲单位'],
      [unitB, '乙单位'],
      [unitC, '丙单位'],
    ])
      await directoryFixtures.unit(infra, { id, name, regionId });

    const deps = useCaseDeps(infra);
    const meta = (instant: string) => ({
      actor: inspector,
      now: new Date(instant).toISOString(),
      correlationId: randomUUID(),
      causationId: null,
    });
    const finding = (
      await fileFinding(
        deps,
        {
          title: '旱厕未拆除',
          description: '',
          regionId,
          category: 'sanitation',
          severity: 'medium',
          source: '督查',
          evidence: [],
        },
        meta(at('2030-03-01')),
      )
    ).id;
    const assign = async (unitId: string, deadline: string) =>
      (
        await assignTask(
          deps,
          {
            findingId: finding,
            leadUnitId: unitId,
            cooperatingUnitIds: [],
            deadline,
            measures: '拆除旱厕',
            target: null,
            campaignId: null,
            title: null,
          },
          meta(at('2030-03-01')),
        )
      ).id;
    tasks.handedOver = await assign(unitA, '2030-04-30');
    tasks.overdueHandedOver = await assign(unitA, '2030-03-20');
    tasks.quick = await assign(unitB, '2030-03-31');
    tasks.cancelled = await assign(unitA, '2030-04-30');

    // A's work on the first task is sent back twice; the task goes to B, whose work is sent back once, then passes.
    await start(a, at('2030-03-02'), tasks.handedOver);
    await submit(a, at('2030-03-05'), tasks.handedOver);
    await run(inspector, at('2030-03-06'), tasks.handedOver, 'SendBackRectification', { reason: '佐证不全' });
    await submit(a, at('2030-03-08'), tasks.handedOver);
    await run(inspector, at('2030-03-09'), tasks.handedOver, 'SendBackRectification', { reason: '仍有遗漏' });
    await run(inspector, at('2030-03-11'), tasks.handedOver, 'ReassignRectificationTask', {
      leadUnitId: unitB,
      cooperatingUnitIds: [],
      reason: '改由乙单位牵头',
    });
    await start(b, at('2030-03-12'), tasks.handedOver);
    await submit(b, at('2030-03-15'), tasks.handedOver);
    await run(inspector, at('2030-03-16'), tasks.handedOver, 'SendBackRectification', { reason: '照片不清' });
    await submit(b, at('2030-03-18'), tasks.handedOver);
    await run(inspector, at('2030-03-21'), tasks.handedOver, 'VerifyRectification', { note: '同意销号' });

    // B closes its own task in three days.
    await start(b, at('2030-03-02'), tasks.quick);
    await submit(b, at('2030-03-03'), tasks.quick);
    await run(inspector, at('2030-03-04'), tasks.quick, 'VerifyRectification', { note: '同意销号' });

    // A lets a task fall overdue; it is handed to C, who closes it late.
    await start(a, at('2030-03-02'), tasks.overdueHandedOver);
    await run(inspector, at('2030-03-25'), tasks.overdueHandedOver, 'ReassignRectificationTask', {
      leadUnitId: unitC,
      cooperatingUnitIds: [],
      reason: '甲单位无力完成',
    });
    await start(c, at('2030-03-26'), tasks.overdueHandedOver);
    await submit(c, at('2030-03-28'), tasks.overdueHandedOver);
    await run(inspector, at('2030-03-29', '10:00'), tasks.overdueHandedOver, 'VerifyRectification', {
      note: '逾期销号',
    });

    // A's work is sent back, then the task is cancelled: the send-back happened all the same.
    await start(a, at('2030-03-02'), tasks.cancelled);
    await submit(a, at('2030-03-03'), tasks.cancelled);
    await run(inspector, at('2030-03-04'), tasks.cancelled, 'SendBackRectification', { reason: '不符合标准' });
    await run(inspector, at('2030-03-10'), tasks.cancelled, 'CancelRectificationTask', { reason: '重复交办' });

    await projectAll(infra.pool, infra.eventStore, [tasksProjection]);
    events = await infra.eventStore.readAll({ maxCount: 10_000 });
  });
  afterAll(async () => {
    await infra.close();
    await drop();
  });

  const board = async (instant: string) => new TaskQueries(infra.pool).scoreboard(new Date(instant));

  it.each([
    ['before anything was sent back', at('2030-03-05', '12:00')],
    ['after A’s send-backs, before the hand-over', at('2030-03-10', '12:00')],
    ['after the hand-over to B', at('2030-03-11', '12:00')],
    ['once B’s work was sent back', at('2030-03-17')],
    ['when A’s other task has fallen overdue', at('2030-03-22')],
    ['after that one was handed to C', at('2030-03-25', '12:00')],
    ['at the end', at('2030-04-30')],
  ])('agrees with the figures computed from the events %s', async (_, instant) => {
    const rows = await board(instant);
    // Every instant asked about has tasks: an empty board agreeing with no events would prove nothing.
    expect(rows.length).toBeGreaterThan(0);
    expect(scoreboardByUnit(rows)).toEqual(scoreboardFromEvents(events, new Date(instant)));
  });

  it('keeps a send-back with the unit whose work was sent back, as of any instant', async () => {
    const sendBacks = async (instant: string) =>
      Object.fromEntries((await board(instant)).map((r) => [r.unitName, r.sendBacks]));
    expect(await sendBacks(at('2030-03-10', '12:00'))).toEqual({ 甲单位: 3, 乙单位: 0 });
    expect(await sendBacks(at('2030-03-11', '12:00'))).toEqual({ 甲单位: 3, 乙单位: 0 });
    expect(await sendBacks(at('2030-04-30'))).toEqual({ 甲单位: 3, 乙单位: 1, 丙单位: 0 });
  });

  it(
    'counts the days to close from when the closing unit was given the ' +
      'task, and what is overdue where it lies now',
    async () => {
      const end = Object.fromEntries((await board(at('2030-04-30'))).map((r) => [r.unitName, r]));
      // B: its own task in 3 days, the handed-over one in 10 (11 to 21 March), not the 20 since it was first assigned.
      expect(end['乙单位']).toMatchObject({ closed: 2, closedOnTime: 2, averageDaysToClose: 6.5, sendBacks: 1 });
      // C closed late what it was handed after the deadline; A closed nothing.
      expect(end['丙单位']).toMatchObject({ closed: 1, closedLate: 1, onTimeRate: 0, averageDaysToClose: 4 });
      expect(end['甲单位']).toMatchObject({ open: 0, closed: 0, averageDaysToClose: null, sendBacks: 3 });

      const overdue = async (instant: string) =>
        Object.fromEntries((await board(instant)).map((r) => [r.unitName, r.overdue]));
      expect(await overdue(at('2030-03-22'))).toMatchObject({ 甲单位: 1 });
      expect(await overdue(at('2030-03-25', '12:00'))).toMatchObject({ 甲单位: 0, 丙单位: 1 });
    },
  );

  it('sums the same figures as they stand now from the counts the read model keeps', async () => {
    // Every event lies before the end of April: the tasks as they stand now are the tasks as they stood then.
    const queries = new TaskQueries(infra.pool);
    const end = new Date(at('2030-04-30'));
    for (const reach of [
      {},
      { regionId },
      { regionId: randomUUID() },
      ...[unitA, unitB, unitC].map((unitId) => ({ unitId })),
    ]) {
      const now = await queries.scoreboard(end, reach, { current: true });
      expect([reach, now]).toEqual([reach, await queries.scoreboard(end, reach)]);
    }
    const now = await queries.scoreboard(end, {}, { current: true });
    expect(Object.fromEntries(now.map((r) => [r.unitName, r.averageDaysToClose]))).toEqual({
      甲单位: null,
      乙单位: 6.5,
      丙单位: 4,
    });
  });

  it('answers from a read model of the previous version while an upgraded store rebuilds it', async () => {
    // Version 2's task_versions had neither lead_since nor sent_back: the view as an older generation serves it.
    const columns = (
      await infra.pool.query(
        'SELECT column_name FROM information_schema.columns WHERE table_schema ' +
          `= 'read_models' AND table_name = 'task_versions' ORDER BY ordinal_position`,
      )
    ).rows
      .map((r) => r.column_name as string)
      .filter((name) => name !== 'lead_since' && name !== 'sent_back');
    try {
      await infra.pool.query(
        'DROP VIEW read_models.task_versions; CREATE VIEW ' +
          `read_models.task_versions AS SELECT ${columns.join(', ')} FROM proj_tasks_test.task_versions`,
      );
      const old = await board(at('2030-04-30'));
      expect(old.map((r) => r.unitName).sort()).toEqual(['丙单位', '乙单位', '甲单位']);
      expect(old.reduce((n, r) => n + r.closed, 0)).toBe(3);
      // Nor had it the counts that the scoreboard now sums: it is counted over the versions instead.
      await infra.pool.query('DROP VIEW read_models.task_send_back_counts');
      const now = await new TaskQueries(infra.pool).scoreboard(new Date(at('2030-04-30')), {}, { current: true });
      expect(now.map((r) => r.unitName).sort()).toEqual(['丙单位', '乙单位', '甲单位']);
    } finally {
      await projectAll(infra.pool, infra.eventStore, [tasksProjection]);
    }
  });
});
