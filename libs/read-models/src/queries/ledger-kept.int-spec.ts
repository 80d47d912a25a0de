import { shanghaiDateOf } from '@zhenggai/domain';
import { auditProjection } from '../audit/audit.projection';
import { catalogueProjection } from '../catalogue/catalogue.projection';
import { at, DemoTreeWorld, demoTreeWorld } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { LedgerCursor, LedgerRow, ledgerRows } from './ledger.query';

jest.setTimeout(180_000);

/**
 * 任务编号: a task is numbered by its county, the year it was assigned in Beijing, and its place among that county's
 * tasks of that year in the order their assignments were stored. The tasks projection keeps the numbers as the
 * assignments arrive, and the audit what each task's events said; until an upgrade has built the generations that
 * keep them, the ledger works the same numbers out from the task rows, and reads the texts from the audit's entries.
 * The numbers are checked against those recomputed from the store's own events, and each way against the other.
 */
describe('the numbers and texts of the 整改台账', () => {
  let world: DemoTreeWorld;
  let ids: string[];

  beforeAll(async () => {
    world = await demoTreeWorld();
    const regions = await world.infra.directory.listRegions();
    const region = (name: string) => regions.find((r) => r.name === name)!.id;
    const given = (place: string, instant: string, title: string) =>
      world.assigned({ title, regionId: region(place), leadUnitId: world.units.town, instant, deadline: '2019-06-30' });
    // Two counties, a town and a village in one of them, the city above both, and the turn of the year in Beijing
    // (half past midnight on 1 January there is still 31 December in UTC), interleaved.
    await given('王堰镇', at('2018-12-30'), '王堰镇改厕');
    await given('姜寨镇', at('2018-12-30', '11:00'), '姜寨镇改厕');
    await given('蔡郢村', at('2018-12-31', '23:30'), '蔡郢村旱厕');
    await given('阜阳市', at('2018-12-31', '23:40'), '全市垃圾清运');
    await given('蔡郢村', at('2019-01-01', '00:30'), '蔡郢村垃圾清运');
    await given('阜南县', at('2019-01-02'), '阜南县污水治理');
    await given('姜寨镇', at('2019-01-02', '11:00'), '姜寨镇污水治理');
    const cleared = await given('王家坝镇', at('2019-01-03'), '王家坝镇庄台清运');
    // What a unit said of its work: two plans, a report and its submission.
    const unit = world.member(world.units.town);
    await world.run(unit, at('2019-01-03', '11:00'), cleared, 'AcceptRectificationTask', {});
    await world.run(unit, at('2019-01-03', '12:00'), cleared, 'RecordRectificationPlan', { plan: '分两批清运' });
    await world.run(unit, at('2019-01-04'), cleared, 'RecordRectificationPlan', { plan: '一次清运完毕' });
    const report = { quantityDone: null, evidence: [], subtaskStatuses: {} };
    await world.run(unit, at('2019-01-04', '15:00'), cleared, 'ReportRectificationProgress', {
      ...report,
      note: '已清运3处',
    });
    await world.run(unit, at('2019-01-04', '23:30'), cleared, 'SubmitRectification', {
      report: '全部清运完毕',
      evidence: world.evidence,
    });
    // Small batches, each worked out before the one before it is written: the numbers run on across batches.
    await projectAll(
      world.infra.pool,
      world.infra.eventStore,
      [tasksProjection, auditProjection, catalogueProjection],
      'numbers',
      5,
      true,
    );
    ids = (await world.infra.pool.query<{ task_id: string }>('SELECT task_id FROM read_models.tasks')).rows.map(
      (r) => r.task_id,
    );
  });

  /** Every task's number, recomputed from the assignments in the order the store holds them. */
  async function expectedNumbers(): Promise<Map<string, string>> {
    const regions = await world.infra.directory.listRegions();
    const byId = new Map(regions.map((r) => [r.id, r]));
    const countyOf = (regionId: string) => {
      const region = byId.get(regionId)!;
      return region.path.map((id) => byId.get(id)!).find((r) => r.level === 'county') ?? region;
    };
    const placed = new Map<string, number>();
    const numbers = new Map<string, string>();
    const events = await world.infra.eventStore.readAll({ maxCount: 100_000 });
    for (const event of events.filter((e) => e.type === 'RectificationTaskAssigned')) {
      const county = countyOf(event.data.regionId);
      const year = shanghaiDateOf(event.metadata.occurredAt).slice(0, 4);
      const seq = (placed.get(`${county.id}/${year}`) ?? 0) + 1;
      placed.set(`${county.id}/${year}`, seq);
      const short = county.name.length > 2 ? county.name.replace(/(自治县|县|市|区|旗)$/, '') : county.name;
      numbers.set(event.data.taskId, `${short}-${year}-${String(seq).padStart(4, '0')}`);
    }
    return numbers;
  }

  const options = { at: new Date(at('2019-01-05')), warningDays: 3, current: true };
  const numbersOf = (rows: readonly LedgerRow[]) => new Map(rows.map((r) => [r.id, r.number]));

  it('numbers each task by its county, its year in Beijing and the order its assignment was stored', async () => {
    const numbers = numbersOf(await ledgerRows(world.infra.pool, ids, options));
    expect(numbers).toEqual(await expectedNumbers());
    const byTitle = new Map(
      (await ledgerRows(world.infra.pool, ids, options)).map((r) => [r.title, r.number?.replace(/\d+$/, 'n')]),
    );
    expect(
      Object.fromEntries(
        ['蔡郢村旱厕', '全市垃圾清运', '蔡郢村垃圾清运', '姜寨镇污水治理'].map((t) => [t, byTitle.get(t)]),
      ),
    ).toEqual({
      蔡郢村旱厕: '阜南-2018-n',
      全市垃圾清运: '阜阳-2018-n',
      蔡郢村垃圾清运: '阜南-2019-n',
      姜寨镇污水治理: '临泉-2019-n',
    });
  });

  it('numbers the tasks asked whichever others are asked with them', async () => {
    const all = numbersOf(await ledgerRows(world.infra.pool, ids, options));
    for (const some of [ids.slice(0, 1), ids.slice(-3)])
      expect(numbersOf(await ledgerRows(world.infra.pool, some, options))).toEqual(
        new Map(some.map((id) => [id, all.get(id)!])),
      );
  });

  it('gives each task the last it said of each kind by the instant asked', async () => {
    const title = (rows: readonly LedgerRow[]) => rows.find((r) => r.title === '王家坝镇庄台清运')!;
    const asOf = async (instant: string) =>
      title(await ledgerRows(world.infra.pool, ids, { ...options, at: new Date(instant), current: false }));
    // Submitted at 23:30 on the 4th in Beijing: 15:30 UTC, still the 4th.
    expect(title(await ledgerRows(world.infra.pool, ids, options))).toMatchObject({
      measures: '王家坝镇庄台清运',
      plan: '一次清运完毕',
      latestProgress: '2019-01-04 全部清运完毕',
    });
    expect(await asOf(at('2019-01-04', '15:30'))).toMatchObject({
      plan: '一次清运完毕',
      latestProgress: '2019-01-04 已清运3处',
    });
    expect(await asOf(at('2019-01-03', '12:30'))).toMatchObject({ plan: '分两批清运', latestProgress: null });
  });

  it.each([[['task_numbers']], [['task_texts']], [['task_numbers', 'task_texts']]])(
    'answers the same rows without %j, as while an upgrade builds the generation that keeps it',
    async (missing) => {
      const { pool } = world.infra;
      for (const asked of [options, { ...options, at: new Date(at('2019-01-04', '15:30')), current: false }]) {
        const kept = await ledgerRows(pool, ids, asked);
        const views = new Map<string, string>();
        for (const view of missing)
          views.set(view, (await pool.query(`SELECT pg_get_viewdef('read_models.${view}') AS d`)).rows[0]!.d as string);
        for (const view of missing) await pool.query(`DROP VIEW read_models.${view}`);
        try {
          expect(await ledgerRows(pool, ids, asked)).toEqual(kept);
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const cursor = await LedgerCursor.declare(client, ids, asked);
            expect(await cursor.next(ids.length)).toEqual(kept);
          } finally {
            await client.query('COMMIT');
            client.release();
          }
        } finally {
          for (const [view, definition] of views) await pool.query(`CREATE VIEW read_models.${view} AS ${definition}`);
        }
      }
    },
  );

  // Last: it points the views at a read model of its own.
  it('holds back a batch placed in a region the directory does not hold yet, numbering it once it does', async () => {
    const { pool, eventStore } = world.infra;
    const { rows } = await pool.query("SELECT * FROM regions WHERE name = '姜寨镇'");
    const town = rows[0]!;
    await pool.query('DELETE FROM regions WHERE id = $1', [town.id]);
    try {
      await expect(projectAll(pool, eventStore, [tasksProjection], 'numbers_waiting', 5)).rejects.toThrow(town.id);
    } finally {
      await pool.query(
        'INSERT INTO regions (id, code, name, level, parent_id, path, revision) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [town.id, town.code, town.name, town.level, town.parent_id, town.path, town.revision],
      );
    }
    await projectAll(pool, eventStore, [tasksProjection], 'numbers_waiting', 5);
    expect(numbersOf(await ledgerRows(pool, ids, options))).toEqual(await expectedNumbers());
  });
});
