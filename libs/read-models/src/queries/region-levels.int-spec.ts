import { Region, StoredEvent } from '@zhenggai/application';
import { RegionLevel } from '@zhenggai/domain';
import { Infrastructure } from '@zhenggai/platform';
import { byRegionLevelFromEvents, quantitiesFromEvents } from '../../../../test/support/quantities-from-events';
import { scoreboardByUnit, scoreboardFromEvents } from '../../../../test/support/scoreboard-from-events';
import { demoTreeWorld, sentBackTree } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { campaignProgress, CampaignDefinition } from './campaign-progress.query';
import { TaskQueries } from './task-queries';

jest.setTimeout(60_000);

const LEVELS: RegionLevel[] = ['city', 'county', 'town', 'village'];

/**
 * 逐级分解 by region level: the demo's 危房改造清零 campaign gains a tree placed at 阜南县 (217 households to its
 * 住建局, 200 to 王堰镇, 10 to 王家坝镇, 150 of 王堰镇's to 蔡郢村, the village's first submission sent back by the
 * town). Asked by city, county, town and village, campaign progress and the deadline view give each region its units'
 * own parts, as the events say, and every level adds up to the totals; the scoreboard charges each unit its own work
 * at its level.
 */
describe('campaign progress, the deadline view and the scoreboard by region level', () => {
  let infra: Infrastructure;
  let events: StoredEvent[];
  let campaign: CampaignDefinition;
  let regions: Region[];
  let village: string;

  beforeAll(async () => {
    const world = await demoTreeWorld();
    ({ infra, campaign } = world);
    regions = await infra.directory.listRegions();
    ({ village } = await sentBackTree(world, regions.find((r) => r.name === '阜南县')!.id));
    await projectAll(infra.pool, infra.eventStore, [tasksProjection]);
    events = await infra.eventStore.readAll({ maxCount: 100_000 });
  });

  it.each([
    ['before the village’s work was sent back', '2018-08-15T12:00:00+08:00'],
    ['once the town had verified it', '2018-08-25T12:00:00+08:00'],
    ['after the neighbour town’s deadline', '2018-09-02T12:00:00+08:00'],
    ['now', 'now'],
  ])('adds every level up to the totals, as the events say, %s', async (_, instant) => {
    const when = instant === 'now' ? new Date() : new Date(instant);
    const progress = await campaignProgress(infra.pool, campaign, when, {}, { byRegionLevel: LEVELS });
    const truth = quantitiesFromEvents(events, campaign.campaignId, when);
    const target = progress.quantities.find((q) => q.unit === '户')!.target;
    const list = await new TaskQueries(infra.pool).list(
      { campaignId: campaign.campaignId },
      { page: 1, pageSize: 1 },
      { at: when, warningDays: 3, current: instant === 'now', byRegionLevel: LEVELS },
    );
    for (const level of LEVELS) {
      const rows = progress.byRegionLevel![level]!;
      const expected = byRegionLevelFromEvents(truth.byRegion, regions, level);
      expect([level, rows.map((r) => r.regionId).sort()]).toEqual([level, [...expected.keys()].sort()]);
      for (const row of rows) {
        const figures = expected.get(row.regionId)!;
        expect([level, row.regionName, row.tasks, row.quantityTarget ?? 0, row.quantityDone]).toEqual([
          level,
          row.regionName,
          figures.tasks,
          figures.quantityTarget,
          figures.quantityDone,
        ]);
        // A row of the level asked, or a place above it holding work itself.
        expect(LEVELS.indexOf(row.regionLevel!)).toBeLessThanOrEqual(LEVELS.indexOf(level));
      }
      const sum = (key: 'tasks' | 'open' | 'overdue' | 'closed' | 'quantityTarget') =>
        rows.reduce((total, row) => total + (row[key] ?? 0), 0);
      expect([level, sum('quantityTarget'), sum('tasks'), sum('open'), sum('overdue'), sum('closed')]).toEqual([
        level,
        target,
        progress.totals.tasks,
        progress.totals.open,
        progress.totals.overdue,
        progress.totals.closed,
      ]);

      // The deadline view counts the same tasks by region: every light of a level adds up to the list's.
      const lights = list.byRegionLevel![level]!;
      expect(lights.reduce((total, row) => total + row.tasks, 0)).toBe(list.total);
      for (const light of Object.keys(list.summary) as Array<keyof typeof list.summary>)
        expect([level, light, lights.reduce((total, row) => total + row.summary[light], 0)]).toEqual([
          level,
          light,
          list.summary[light],
        ]);
      for (const row of lights)
        expect([row.regionId, row.quantityTarget, row.quantityDone]).toEqual([
          row.regionId,
          rows.find((r) => r.regionId === row.regionId)!.quantityTarget,
          rows.find((r) => r.regionId === row.regionId)!.quantityDone,
        ]);
    }
    const county = progress.byRegionLevel!.county!.find((r) => r.regionName === '阜南县')!;
    const town = (name: string) => progress.byRegionLevel!.town!.find((r) => r.regionName === name);
    expect(county.behind).toBe(county.dueOpen > 0);
    if (instant === '2018-09-02T12:00:00+08:00') {
      // 王家坝镇's share was due on 31 August and is still open: that town is behind, 王堰镇 is not yet.
      expect(town('王家坝镇')).toMatchObject({ overdue: 1, dueOpen: 1, behind: true });
      expect(town('王堰镇')!.dueOpen).toBe(0);
    }
  });

  it.each([
    ['before the send-back', '2018-08-15T12:00:00+08:00'],
    ['after it', '2018-08-17T12:00:00+08:00'],
    ['now', 'now'],
  ])('charges each unit its own work at its level on the scoreboard, as the events say, %s', async (_, instant) => {
    const when = instant === 'now' ? new Date() : new Date(instant);
    const board = await new TaskQueries(infra.pool).scoreboard(when);
    expect(scoreboardByUnit(board)).toEqual(scoreboardFromEvents(events, when));
    const caiying = (await infra.directory.findUnitByName('蔡郢村民委员会'))!.id;
    const wangyan = (await infra.directory.findUnitByName('王堰镇人民政府'))!.id;
    const sendBacks = (unitId: string) => board.find((row) => row.unitId === unitId)?.sendBacks ?? 0;
    const others = scoreboardFromEvents(
      events.filter((e) => e.data?.taskId !== village),
      when,
    );
    // The town's send-back of the village's sub-task is the village's, not the town's.
    expect([sendBacks(caiying), sendBacks(wangyan)]).toEqual([
      (others.get(caiying)?.sendBacks ?? 0) + (instant === '2018-08-15T12:00:00+08:00' ? 0 : 1),
      others.get(wangyan)?.sendBacks ?? 0,
    ]);
  });
});
