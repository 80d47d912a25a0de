import { breakDownTask, StoredEvent } from '@zhenggai/application';
import { Infrastructure } from '@zhenggai/platform';
import { quantitiesFromEvents } from '../../../../test/support/quantities-from-events';
import { at, demoTreeWorld, DemoTreeWorld } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { campaignProgress, CampaignDefinition } from './campaign-progress.query';
import { TaskQueries } from './task-queries';

jest.setTimeout(60_000);

/**
 * 逐级分解 in the read models: the demo's 危房改造清零 campaign gains a tree 县 → 镇 → 村 (217 households to 阜南县住建局,
 * 200 of them to 王堰镇, 10 to 王家坝镇, 150 of 王堰镇's to 蔡郢村); campaign progress counts each tree once at its
 * top-level task, rolls verified work up, and gives each unit its own part — as the events say, now and as of then.
 */
describe('rolling a task tree up in campaign progress and the task list', () => {
  let infra: Infrastructure;
  let events: StoredEvent[];
  const units: Record<string, string> = {};
  let campaign: CampaignDefinition;
  const ids: Record<'county' | 'town' | 'neighbour' | 'village', string> = {
    county: '',
    town: '',
    neighbour: '',
    village: '',
  };

  let world: DemoTreeWorld;

  beforeAll(async () => {
    world = await demoTreeWorld();
    ({ infra, campaign } = world);
    const { deps, member, meta, run, subtask, evidence } = world;
    const { county: housing, town: wangyan, neighbour: wangjiaba, village: caiying } = world.units;
    Object.assign(units, { county: housing, town: wangyan, neighbour: wangjiaba, village: caiying });
    const region = (await infra.directory.listRegions()).find((r) => r.name === '蔡郢村')!;

    ids.county = await world.countyTask(region.id);
    const [county, town, village] = [member(housing), member(wangyan), member(caiying)];
    await run(county, at('2018-08-02'), ids.county, 'AcceptRectificationTask', {});
    const split = await breakDownTask(
      deps,
      { taskId: ids.county, subtasks: [subtask(wangyan, 200), subtask(wangjiaba, 10)] },
      meta(county, at('2018-08-02', '11:00')),
    );
    [ids.town, ids.neighbour] = split.subtasks.map((s) => s.id);
    await run(town, at('2018-08-03'), ids.town, 'AcceptRectificationTask', {});
    ids.village = (
      await breakDownTask(
        deps,
        { taskId: ids.town, subtasks: [subtask(caiying, 150, '2018-09-10')] },
        meta(town, at('2018-08-03', '11:00')),
      )
    ).subtasks[0].id;
    await run(village, at('2018-08-04'), ids.village, 'AcceptRectificationTask', {});
    await run(village, at('2018-08-20'), ids.village, 'ReportRectificationProgress', {
      quantityDone: 150,
      note: '拆除完成',
      evidence,
    });
    await run(village, at('2018-08-21'), ids.village, 'SubmitRectification', {
      report: '150 户拆除完成',
      evidence,
      quantityDone: null,
    });
    await run(town, at('2018-08-25'), ids.village, 'VerifyRectification', { note: '镇里验收合格' });
    await run(town, at('2018-08-26'), ids.town, 'ReportRectificationProgress', {
      quantityDone: 30,
      note: '镇本级',
      evidence,
    });
    await run(county, at('2018-08-27'), ids.county, 'ReportRectificationProgress', {
      quantityDone: 5,
      note: '县本级',
      evidence,
    });
    await run(county, at('2018-09-01'), ids.neighbour, 'CancelRectificationTask', { reason: '并入王堰镇实施' });
    await run(town, at('2018-09-05'), ids.town, 'SubmitRectification', {
      report: '王堰镇 200 户完成',
      evidence,
      quantityDone: 50,
    });
    await run(county, at('2018-09-06'), ids.town, 'VerifyRectification', { note: '县里验收合格' });
    await projectAll(infra.pool, infra.eventStore, [tasksProjection]);
    events = await infra.eventStore.readAll({ maxCount: 100_000 });
  });

  type Figures = Record<'village' | 'town' | 'county', [rolledUp: number | null, own: number | null]>;
  const before = { village: [150, 150], town: [null, null], county: [null, null] } satisfies Figures;
  const verified = { ...before, town: [180, 30] } satisfies Figures;
  const countyReported = { ...verified, county: [5, 5] } satisfies Figures;
  const townVerified = { village: [150, 150], town: [200, 50], county: [205, 5] } satisfies Figures;

  it.each([
    ['before the village’s work was verified', '2018-08-24T12:00:00+08:00', before],
    ['once the town had verified it and reported its own', '2018-08-26T12:00:00+08:00', verified],
    ['after the county’s own report', '2018-08-28T12:00:00+08:00', countyReported],
    ['after the neighbour’s share came back', '2018-09-02T12:00:00+08:00', countyReported],
    ['now, the town verified by the county', 'now', townVerified],
  ])('counts the tree once, as the events say, %s', async (_, instant, expected: Figures) => {
    const when = instant === 'now' ? new Date() : new Date(instant);
    const progress = await campaignProgress(infra.pool, campaign, when);
    const truth = quantitiesFromEvents(events, campaign.campaignId, when);
    expect(progress.quantities).toEqual(truth.quantities);
    expect(progress.quantities.find((q) => q.unit === '户')?.done).toBeGreaterThanOrEqual(expected.county[0] ?? 0);
    for (const [unitId, figures] of truth.byUnit)
      expect([unitId, progress.byUnit.find((row) => row.unitId === unitId)]).toEqual([
        unitId,
        expect.objectContaining(figures),
      ]);
    // The units' own parts add up to the total target: no share is counted twice.
    const target = progress.quantities.find((q) => q.unit === '户')!.target;
    expect(progress.byUnit.reduce((sum, row) => sum + (row.quantityTarget ?? 0), 0)).toBe(target);
    expect(progress.byRegion.reduce((sum, row) => sum + (row.quantityTarget ?? 0), 0)).toBe(target);

    // The task list shows each task's work rolled up, and its unit's own beside it.
    const list = await new TaskQueries(infra.pool).list(
      { campaignId: campaign.campaignId },
      { page: 1, pageSize: 50 },
      { at: when, warningDays: 3, current: instant === 'now' },
    );
    for (const level of ['village', 'town', 'county'] as const) {
      const row = list.items.find((item) => item.id === ids[level])!;
      expect([level, row.quantityDone, row.ownQuantityDone]).toEqual([level, ...expected[level]]);
    }
  });

  it('burns the campaign down in its own quantities, day by day as the events say, in every reach', async () => {
    const asOf = new Date('2018-09-10T12:00:00+08:00');
    const progress = await campaignProgress(infra.pool, campaign, asOf, {}, { quantityBurndown: true });
    const days = progress.quantityBurndown!;
    // The same days as the task burndown, from the launch to the as-of day.
    expect(days.map((d) => d.date)).toEqual(progress.burndown.map((d) => d.date));
    const endOf = (date: string) => (date === '2018-09-10' ? asOf : new Date(`${date}T23:59:59.999+08:00`));
    for (const day of days)
      expect([day.date, day.quantities]).toEqual([
        day.date,
        quantitiesFromEvents(events, campaign.campaignId, endOf(day.date)).quantities,
      ]);
    // The roll-up moves on the days the events say: the village's 150 reach the top once the town's 200 are verified.
    const done = (date: string) => days.find((d) => d.date === date)!.quantities.find((q) => q.unit === '户')!.done;
    expect(done('2018-09-05') - done('2018-09-04')).toBe(0);
    expect(done('2018-09-06') - done('2018-09-05')).toBe(200);
    // A narrower reach counts each tree at the top of what it holds, as the progress's quantities do.
    const regions = await infra.directory.listRegions();
    for (const name of ['阜南县', '王堰镇', '蔡郢村']) {
      const reach = { regionId: regions.find((r) => r.name === name)!.id };
      const within = await campaignProgress(infra.pool, campaign, asOf, reach, { quantityBurndown: true });
      expect([name, within.quantityBurndown!.at(-1)!.quantities]).toEqual([name, within.quantities]);
    }
    for (const unit of ['county', 'town', 'village'] as const) {
      const within = await campaignProgress(
        infra.pool,
        campaign,
        asOf,
        { unitId: units[unit] },
        { quantityBurndown: true },
      );
      expect([unit, within.quantityBurndown!.at(-1)!.quantities]).toEqual([unit, within.quantities]);
    }
  });

  it.each([
    ['county', ['county', 'town', 'neighbour', 'village']],
    ['town', ['town', 'village']],
    ['neighbour', ['neighbour']],
    ['village', ['village']],
  ] as const)(
    'lists for the %s’s unit its own tasks and every sub-task below them, not those above',
    async (unit, seen) => {
      const queries = new TaskQueries(infra.pool);
      for (const current of [true, false]) {
        const list = await queries.list(
          { campaignId: campaign.campaignId, visibleToUnitId: units[unit] },
          { page: 1, pageSize: 50 },
          { at: new Date(), warningDays: 3, current },
        );
        const levels = Object.entries(ids).filter(([, id]) => list.items.some((item) => item.id === id));
        expect([current, levels.map(([level]) => level).sort()]).toEqual([current, [...seen].sort()]);
      }
    },
  );

  // Last: it changes the tree's lead at the top.
  it('takes a tree to the unit its top is reassigned to (its sub-tasks done), away from the one before', async () => {
    await world.run(world.inspector, at('2018-09-10'), ids.county, 'ReassignRectificationTask', {
      leadUnitId: units.village,
      cooperatingUnitIds: [],
      reason: '改由村里牵头收尾',
    });
    await projectAll(infra.pool, infra.eventStore, [tasksProjection], 'reassigned');
    const queries = new TaskQueries(infra.pool);
    const seen = async (unit: 'county' | 'village', current: boolean) => {
      const list = await queries.list(
        { campaignId: campaign.campaignId, visibleToUnitId: units[unit] },
        { page: 1, pageSize: 50 },
        { at: new Date(), warningDays: 3, current },
      );
      return Object.entries(ids)
        .filter(([, id]) => list.items.some((item) => item.id === id))
        .map(([level]) => level)
        .sort();
    };
    for (const current of [true, false]) {
      // The village now leads the county's task, and so reaches the whole tree below it.
      expect([current, await seen('village', current)]).toEqual([current, ['county', 'neighbour', 'town', 'village']]);
      // 住建局 no longer leads it: it still answers for the sub-tasks it handed out, and what lies below them.
      expect([current, await seen('county', current)]).toEqual([current, ['neighbour', 'town', 'village']]);
    }
    // Its lights are counted for the unit it now reaches them through, and no longer for the one before.
    for (const unit of ['county', 'village'] as const) {
      const summary = async (current: boolean) =>
        (
          await queries.list(
            { visibleToUnitId: units[unit] },
            { page: 1, pageSize: 1 },
            { at: new Date(), warningDays: 3, current },
          )
        ).summary;
      expect([unit, await summary(true)]).toEqual([unit, await summary(false)]);
    }
  });
});
