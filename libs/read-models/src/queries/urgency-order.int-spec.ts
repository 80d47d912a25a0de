import { assignTask, fileFinding } from '@zhenggai/application';
import { Actor, shanghaiDateOf } from '@zhenggai/domain';
import { auditProjection } from '../audit/audit.projection';
import { catalogueProjection } from '../catalogue/catalogue.projection';
import { at, DemoTreeWorld, demoTreeWorld, sentBackTree } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { LedgerCursor, LedgerRow, ledgerRows } from './ledger.query';
import { Light, ListCursor, parseListCursor, TaskFilter, TaskQueries, TaskRow } from './task-queries';

jest.setTimeout(180_000);

/** The day the lists are asked about (Asia/Shanghai). */
const TODAY = '2018-09-15';
const ASKED = new Date(at(TODAY));

const BANDS = ['逾期', '待签收', '待验收', '其他未销号', '已结束'] as const;
type Band = (typeof BANDS)[number];

/** The urgency of a task on TODAY, as the inspector reads it. */
function bandOf(task: Pick<TaskRow, 'status' | 'deadline'>): Band {
  if (['closed', 'cancelled'].includes(task.status)) return '已结束';
  if (task.deadline < TODAY) return '逾期';
  return task.status === 'assigned' ? '待签收' : task.status === 'submitted' ? '待验收' : '其他未销号';
}

/** Urgency order written out plainly: band, then nearest deadline (latest for the ended ones), then id. */
function byUrgency(a: TaskRow, b: TaskRow): number {
  const [ba, bb] = [BANDS.indexOf(bandOf(a)), BANDS.indexOf(bandOf(b))];
  if (ba !== bb) return ba - bb;
  const sign = bandOf(a) === '已结束' ? -1 : 1;
  return sign * (compare(a.deadline, b.deadline) || compare(a.id, b.id));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a ledger row shares with the task list's row of the same task, as the ledger writes it. */
const listed = (t: TaskRow) => ({
  id: t.id,
  title: t.title,
  region: t.regionName,
  leadUnit: t.leadUnitName,
  depth: t.depth,
  parentTitle: t.parentTitle,
  targetQuantity: t.target?.quantity ?? null,
  targetUnit: t.target?.unit ?? null,
  quantityDone: t.quantityDone,
  assignedOn: shanghaiDateOf(t.assignedAt),
  deadline: t.deadline,
  originalDeadline: t.originalDeadline,
  status: t.status,
  light: t.light,
  sendBackCount: t.sendBackCount,
  closedOn: t.closedAt && shanghaiDateOf(t.closedAt),
});
const ledgered = (r: LedgerRow) => {
  const { id, title, region, leadUnit, depth, parentTitle, targetQuantity, targetUnit, quantityDone } = r;
  const { assignedOn, deadline, originalDeadline, status, light, sendBackCount, closedOn } = r;
  return {
    ...{ id, title, region, leadUnit, depth, parentTitle, targetQuantity, targetUnit, quantityDone },
    ...{ assignedOn, deadline, originalDeadline, status, light, sendBackCount, closedOn },
  };
};

/**
 * A list by urgency (sort=urgency) puts first what needs someone today: overdue tasks, then those waiting to be signed
 * for (待签收), then those waiting for sign-off (待验收), then the other open tasks, each nearest deadline first; the
 * closed and cancelled ones last, latest deadline first. Paged in any size, every task comes exactly once, in that
 * order, on every path a list takes: all tasks or a region's (current rows), a unit's (its rows of who reaches what,
 * with or without filters on the tasks themselves), and as of a past instant.
 */
describe('a task list by urgency', () => {
  let world: DemoTreeWorld;
  let queries: TaskQueries;
  let funan: string;
  const made: Record<string, string> = {};

  beforeAll(async () => {
    world = await demoTreeWorld();
    const { infra, run, member, inspector, evidence } = world;
    const regions = await infra.directory.listRegions();
    funan = regions.find((r) => r.name === '阜南县')!.id;
    await sentBackTree(world, funan);
    const town = member(world.units.town);
    const wangyan = regions.find((r) => r.name === '王堰镇')!.id;
    // 王堰镇's own tasks, each given on 1 September 2018 and taken as far as its name says by the 14th.
    const given = async (name: string, deadline: string) => {
      made[name] = await assigned(world, inspector, wangyan, world.units.town, name, deadline);
      return made[name];
    };
    await given('逾期未签收', '2018-09-10');
    const lateSubmitted = await given('逾期已报待验收', '2018-09-12');
    await given('待签收-18日', '2018-09-18');
    await given('待签收-20日', '2018-09-20');
    await given('待签收-20日之二', '2018-09-20');
    const submitted = await given('待验收-25日', '2018-09-25');
    const accepted = await given('已签收-16日', '2018-09-16');
    const planned = await given('整改中-30日', '2018-09-30');
    const closed = await given('已销号-10月', '2018-10-31');
    const cancelled = await given('已撤销-11月', '2018-11-30');
    for (const id of [lateSubmitted, submitted, accepted, planned, closed])
      await run(town, at('2018-09-02'), id, 'AcceptRectificationTask', {});
    for (const id of [lateSubmitted, submitted, planned, closed])
      await run(town, at('2018-09-03'), id, 'RecordRectificationPlan', { plan: '逐户排查' });
    for (const id of [lateSubmitted, submitted, closed])
      await run(town, at('2018-09-05'), id, 'SubmitRectification', { report: '完成', evidence });
    await run(inspector, at('2018-09-06'), closed, 'VerifyRectification', { note: '验收合格' });
    await run(inspector, at('2018-09-07'), cancelled, 'CancelRectificationTask', { reason: '并入其他任务' });

    await projectAll(infra.pool, infra.eventStore, [tasksProjection, auditProjection, catalogueProjection], 'urgency');
    queries = new TaskQueries(infra.pool);
  });

  /** Every page of the list in `order`, `pageSize` at a time, joined. */
  async function paged(filter: TaskFilter, pageSize: number, current: boolean): Promise<TaskRow[]> {
    const rows: TaskRow[] = [];
    for (let page = 1; ; page++) {
      const options = { at: ASKED, warningDays: 3, current, order: 'urgency' as const };
      const { items, total } = await queries.list(filter, { page, pageSize }, options);
      rows.push(...items);
      if (page * pageSize >= total) return rows;
    }
  }

  it('opens 王堰镇’s list on its overdue tasks, then 待签收, then 待验收, then the rest by deadline, ended last', async () => {
    const { items } = await queries.list(
      { visibleToUnitId: world.units.town },
      { page: 1, pageSize: 100 },
      { at: ASKED, warningDays: 3, current: true, order: 'urgency' },
    );
    const mine = new Set(Object.values(made));
    const titles = items.filter((t) => mine.has(t.id)).map((t) => Object.keys(made).find((k) => made[k] === t.id));
    const twins = [made['待签收-20日'], made['待签收-20日之二']].sort(compare);
    expect(titles).toEqual([
      '逾期未签收',
      '逾期已报待验收',
      '待签收-18日',
      ...twins.map((id) => Object.keys(made).find((k) => made[k] === id)),
      '待验收-25日',
      '已签收-16日',
      '整改中-30日',
      '已撤销-11月',
      '已销号-10月',
    ]);
    // The tree's tasks it reaches (its own and 蔡郢村's below it, long overdue or closed) take their places too.
    expect(items.map(bandOf)).toEqual([...items].sort(byUrgency).map(bandOf));
    expect(new Set(items.map(bandOf))).toEqual(new Set(BANDS));
  });

  const paths: Array<[string, () => TaskFilter]> = [
    ['every task (the current rows)', () => ({})],
    ['the tasks in 阜南县', () => ({ scopeRegionId: funan })],
    ['a unit’s tasks (its rows of who reaches what)', () => ({ visibleToUnitId: world.units.town })],
    ['a unit’s open tasks', () => ({ visibleToUnitId: world.units.town, light: ['red', 'yellow', 'green'] })],
    [
      'a unit’s tasks of one category (filtered on the tasks themselves)',
      () => ({ visibleToUnitId: world.units.town, category: 'sanitation' }),
    ],
    ['the county housing office’s tasks and all below them', () => ({ visibleToUnitId: world.units.county })],
    // The slices a filter rules out are left unread; what is left keeps its order.
    ['the open tasks', () => ({ status: ['assigned', 'accepted', 'in_progress', 'submitted'] })],
    [
      'a unit’s tasks of some statuses',
      () => ({ visibleToUnitId: world.units.town, status: ['assigned', 'submitted', 'closed'] }),
    ],
    ['a unit’s overdue tasks', () => ({ visibleToUnitId: world.units.town, overdue: true })],
    ['the tasks not overdue', () => ({ overdue: false })],
    [
      'a unit’s ended tasks, by light',
      () => ({ visibleToUnitId: world.units.town, light: ['closed_on_time', 'closed_late', 'cancelled'] as Light[] }),
    ],
  ];

  it.each(paths)('pages %s in that order, each task once, now and as of the day', async (_, filterOf) => {
    const filter = filterOf();
    // Now (the current rows), and as of the day asked about (the versions valid then).
    for (const current of [true, false]) {
      const options = { at: ASKED, warningDays: 3, current };
      const everyOne = await queries.list(filter, { page: 1, pageSize: 1000 }, options);
      expect(everyOne.total).toBeGreaterThan(1);
      const expected = [...everyOne.items].sort(byUrgency).map((t) => t.id);
      for (const pageSize of [1, 3, 7, 1000]) {
        const pages = await paged(filter, pageSize, current);
        expect([current, pageSize, pages.map((t) => t.id)]).toEqual([current, pageSize, expected]);
      }
    }
  });

  // Keyset paging: a page after the last task of the one before, read by index however deep it is.
  it.each(paths)('pages %s by cursor (next) as by page number, in both orders', async (_, filterOf) => {
    const filter = filterOf();
    for (const current of [true, false])
      for (const order of ['urgency', 'deadline'] as const) {
        const options = { at: ASKED, warningDays: 3, current, order };
        const everyOne = await queries.list(filter, { page: 1, pageSize: 1000 }, options);
        expect(everyOne.next).toBeNull();
        for (const pageSize of [1, 3, 1000]) {
          const ids: string[] = [];
          let after: ListCursor | undefined;
          for (let pages = 0; ; pages++) {
            const answer = await queries.list(filter, { page: 1, pageSize, after }, options);
            expect(answer.total).toBe(everyOne.total);
            ids.push(...answer.items.map((t) => t.id));
            if (answer.next === null) break;
            after = parseListCursor(answer.next, order)!;
            expect(after).not.toBeNull();
            expect(pages).toBeLessThan(everyOne.total);
          }
          expect([current, order, pageSize, ids]).toEqual([current, order, pageSize, everyOne.items.map((t) => t.id)]);
        }
        // The second page by number ends where the cursor of the first page's answer leads.
        const [byNumber, first] = await Promise.all([
          queries.list(filter, { page: 2, pageSize: 2 }, options),
          queries.list(filter, { page: 1, pageSize: 2 }, options),
        ]);
        if (first.next === null) expect(byNumber.items).toEqual([]);
        else {
          const after = parseListCursor(first.next, order)!;
          const byCursor = await queries.list(filter, { page: 1, pageSize: 2, after }, options);
          expect(byCursor.items.map((t) => t.id)).toEqual(byNumber.items.map((t) => t.id));
          expect(byCursor.next).toBe(byNumber.next);
        }
      }
  });

  it('reads a cursor only in the order it was made in', () => {
    const id = '0b6f2a47-3c1e-4d2b-9f3a-6a1d2e3f4b5c';
    expect(parseListCursor(`2018-09-30.${id}`, 'deadline')).toEqual({ band: null, deadline: '2018-09-30', id });
    expect(parseListCursor(`u3.2018-09-30.${id}`, 'urgency')).toEqual({ band: 3, deadline: '2018-09-30', id });
    expect(parseListCursor(`u3.2018-09-30.${id}`, 'deadline')).toBeNull();
    expect(parseListCursor(`2018-09-30.${id}`, 'urgency')).toBeNull();
    expect(parseListCursor(`u5.2018-09-30.${id}`, 'urgency')).toBeNull();
    expect(parseListCursor('2018-09-30', 'deadline')).toBeNull();
  });

  // An export (整改台账) reads the ids of every page first, then their ledger rows a batch at a time through a cursor.
  it.each(paths)(
    'answers the ids of %s, and their ledger rows, as every page of the list has them',
    async (_, filterOf) => {
      const filter = filterOf();
      for (const current of [true, false])
        for (const order of ['urgency', 'deadline'] as const) {
          const options = { at: ASKED, warningDays: 3, current, order };
          const { items } = await queries.list(filter, { page: 1, pageSize: 1000 }, options);
          const ids = await queries.ids(filter, options, 1000);
          expect([current, order, ids]).toEqual([current, order, items.map((t) => t.id)]);
          expect(await queries.ids(filter, options, 2)).toEqual(ids.slice(0, 2));
          const chunks = [ids.slice(0, 3), ids.slice(3)];
          const rows = (await Promise.all(chunks.map((chunk) => ledgerRows(world.infra.pool, chunk, options)))).flat();
          expect(rows.map(ledgered)).toEqual(items.map(listed));
          // Through a cursor, two rows at a time, until it has none left: the same rows in the same order.
          const client = await world.infra.pool.connect();
          const batches: LedgerRow[][] = [];
          try {
            await client.query('BEGIN');
            const cursor = await LedgerCursor.declare(client, ids, options);
            for (let batch = await cursor.next(2); batch.length > 0; batch = await cursor.next(2)) batches.push(batch);
          } finally {
            await client.query('COMMIT');
            client.release();
          }
          expect(batches.map((batch) => batch.length)).toEqual(
            Array.from({ length: Math.ceil(ids.length / 2) }, (_, i) => Math.min(2, ids.length - 2 * i)),
          );
          expect(batches.flat()).toEqual(rows);
        }
    },
  );

  it("gives a ledger row the task's texts as they were said by the instant asked", async () => {
    const submitted = made['待验收-25日']!;
    const options = (asked: string, current: boolean) => ({ at: new Date(asked), warningDays: 3, current });
    const [now] = await ledgerRows(world.infra.pool, [submitted], options(ASKED.toISOString(), true));
    expect(now).toMatchObject({
      measures: '待验收-25日',
      plan: '逐户排查',
      latestProgress: '2018-09-05 完成',
      status: 'submitted',
      category: '改厕与环境卫生',
      region: '王堰镇',
    });
    // Planned on the 3rd, submitted on the 5th: on the 4th there was a plan and no progress yet.
    const [before] = await ledgerRows(world.infra.pool, [submitted], options(at('2018-09-04'), false));
    expect(before).toMatchObject({ plan: '逐户排查', latestProgress: null, status: 'in_progress' });
  });

  it('answers an empty page when the filters leave nothing to read', async () => {
    for (const visibleToUnitId of [undefined, world.units.town]) {
      const filter: TaskFilter = { visibleToUnitId, status: ['closed'], light: ['red'] };
      const answer = await queries.list(
        filter,
        { page: 1, pageSize: 5 },
        { at: ASKED, warningDays: 3, current: true, order: 'urgency' },
      );
      expect([answer.total, answer.items]).toEqual([0, []]);
    }
  });

  it('keeps the deadline order unless asked otherwise', async () => {
    const { items } = await queries.list(
      { visibleToUnitId: world.units.town },
      { page: 1, pageSize: 1000 },
      { at: ASKED, warningDays: 3, current: true },
    );
    const byDeadline = [...items].sort((a, b) => compare(a.deadline, b.deadline) || compare(a.id, b.id));
    expect(items.map((t) => t.id)).toEqual(byDeadline.map((t) => t.id));
  });
});

/** A task for `unitId` at `regionId`, given on 1 September 2018 by the inspector, due `deadline`; answers its id. */
async function assigned(
  world: DemoTreeWorld,
  inspector: Actor,
  regionId: string,
  unitId: string,
  title: string,
  deadline: string,
): Promise<string> {
  const given = world.meta(inspector, at('2018-09-01'));
  const finding = await fileFinding(
    world.deps,
    { title, description: '', regionId, category: 'sanitation', severity: 'medium', source: '督查', evidence: [] },
    given,
  );
  const assignment = {
    findingId: finding.id,
    leadUnitId: unitId,
    cooperatingUnitIds: [],
    deadline,
    measures: title,
    target: null,
    campaignId: null,
    title,
  };
  return (await assignTask(world.deps, assignment, world.meta(inspector, at('2018-09-01', '10:30')))).id;
}
