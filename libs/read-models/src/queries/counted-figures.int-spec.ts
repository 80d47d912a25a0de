import { StoredEvent } from '@zhenggai/application';
import { RegionLevel } from '@zhenggai/domain';
import { Infrastructure } from '@zhenggai/platform';
import { at, demoTreeWorld, sentBackTree } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { tasksProjection } from '../tasks/tasks.projection';
import { campaignProgress, CampaignDefinition } from './campaign-progress.query';
import { TaskQueries } from './task-queries';

jest.setTimeout(120_000);

const LEVELS: RegionLevel[] = ['city', 'county', 'town', 'village'];

/**
 * The views as they stand now are summed from what the tasks read model keeps as the events arrive (the per-deadline
 * counts with their quantities, each task's roll-up, the burndowns' changes per day, who reaches each task), not from
 * every task's versions.
 * Both must give the same answers: over the demo story and a tree 县 → 镇 → 村 whose sub-tasks are sent back,
 * verified level by level, cancelled and signed off at the top, for every campaign, every reach by region and every
 * level (and the scoreboard, for every unit's reach too), projected one event at a time (every task above read back
 * from the store), a few at a time and all at once.
 */
describe('the views now, from the kept roll-ups, equal the same views from every version', () => {
  let infra: Infrastructure;
  let events: StoredEvent[];
  let campaigns: CampaignDefinition[];

  beforeAll(async () => {
    const world = await demoTreeWorld();
    ({ infra } = world);
    const { member, run, evidence, inspector } = world;
    const regions = await infra.directory.listRegions();
    const { county, town, neighbour } = await sentBackTree(world, regions.find((r) => r.name === '阜南县')!.id);
    const [countyUnit, townUnit] = [member(world.units.county), member(world.units.town)];
    await run(countyUnit, at('2018-09-01'), neighbour, 'CancelRectificationTask', { reason: '并入王堰镇实施' });
    await run(townUnit, at('2018-09-05'), town, 'SubmitRectification', { report: '完成', evidence, quantityDone: 50 });
    await run(countyUnit, at('2018-09-06'), town, 'VerifyRectification', { note: '县里验收合格' });
    await run(countyUnit, at('2018-09-07'), county, 'SubmitRectification', {
      report: '全县完成',
      evidence,
      quantityDone: 17,
    });
    await run(inspector, at('2018-09-08'), county, 'VerifyRectification', { note: '市里验收合格' });

    events = await infra.eventStore.readAll({ maxCount: 100_000 });
    campaigns = events
      .filter((e) => e.type === 'CampaignLaunched')
      .map((e) => ({ ...e.data, launchedAt: e.metadata.occurredAt }) as CampaignDefinition);
  });

  it.each([1, 7, 500])('answers the same, projected %s event(s) at a time', async (batchSize) => {
    await projectAll(infra.pool, infra.eventStore, [tasksProjection], `counted_${batchSize}`, batchSize);
    const now = new Date();
    const reaches = [{}, ...(await infra.directory.listRegions()).map((r) => ({ regionId: r.id }))];
    expect(campaigns.length).toBeGreaterThan(1);
    for (const campaign of campaigns)
      for (const reach of reaches) {
        const options = { byRegionLevel: LEVELS, quantityBurndown: true };
        const versioned = await campaignProgress(infra.pool, campaign, now, reach, options);
        const counted = await campaignProgress(infra.pool, campaign, now, reach, { ...options, current: true });
        expect(versioned.quantityBurndown!.length).toBeGreaterThan(0);
        expect([campaign.name, reach, counted]).toEqual([campaign.name, reach, versioned]);
      }
    // Just after an upgrade the read model built before the quantities' changes per day serves: the versions give them.
    await infra.pool.query('DROP VIEW read_models.task_campaign_quantities');
    const before = await campaignProgress(infra.pool, campaigns[0], now, {}, { quantityBurndown: true, current: true });
    expect(before.quantityBurndown).toEqual(
      (await campaignProgress(infra.pool, campaigns[0], now, {}, { quantityBurndown: true })).quantityBurndown,
    );
    const queries = new TaskQueries(infra.pool);
    for (const filter of [
      {},
      ...campaigns.map((c) => ({ campaignId: c.campaignId })),
      ...reaches.map((r) => ({ scopeRegionId: (r as { regionId?: string }).regionId })),
      { overdue: false, light: ['green' as const, 'closed_on_time' as const] },
    ]) {
      const options = { at: now, warningDays: 3, byRegionLevel: LEVELS, byUnit: true };
      const counted = await queries.list(filter, { page: 1, pageSize: 5 }, { ...options, current: true });
      const versioned = await queries.list(filter, { page: 1, pageSize: 5 }, { ...options, current: false });
      expect([filter, counted]).toEqual([filter, versioned]);
      // Each unit's lights are those of the tasks it leads, counted one by one from the whole list.
      const every = await queries.list(filter, { page: 1, pageSize: 1000 }, { at: now, warningDays: 3 });
      expect(every.items).toHaveLength(every.total);
      const led = new Map<string, Record<string, number>>();
      for (const task of every.items) {
        const lights = led.get(task.leadUnitId) ?? {};
        lights[task.light] = (lights[task.light] ?? 0) + 1;
        led.set(task.leadUnitId, lights);
      }
      const shown = counted.byUnit!.map(({ unitId, summary }) => [
        unitId,
        Object.fromEntries(Object.entries(summary).filter(([, n]) => n > 0)),
      ]);
      expect([filter, Object.fromEntries(shown)]).toEqual([filter, Object.fromEntries(led)]);
      expect(counted.byUnit!.every((unit) => unit.unitName)).toBe(true);
    }
    // A unit's list, from its rows of who reaches what, as from testing every version against its reach.
    const units = (await infra.directory.listUnits()).map((u) => u.id);
    for (const visibleToUnitId of units)
      for (const filter of [
        { visibleToUnitId },
        { visibleToUnitId, overdue: true },
        { visibleToUnitId, light: ['red' as const, 'closed_late' as const] },
        { visibleToUnitId, campaignId: campaigns[0].campaignId },
      ])
        for (const page of [1, 2]) {
          const options = { at: now, warningDays: 3 };
          const counted = await queries.list(filter, { page, pageSize: 3 }, { ...options, current: true });
          const versioned = await queries.list(filter, { page, pageSize: 3 }, { ...options, current: false });
          expect([filter, page, counted]).toEqual([filter, page, versioned]);
        }
    // The scoreboard: open, overdue, closed on time or late, average days to close and send-backs per lead unit.
    let sentBack = 0;
    let closed = 0;
    for (const reach of [...reaches, ...units.map((unitId) => ({ unitId }))]) {
      const counted = await queries.scoreboard(now, reach, { current: true });
      const versioned = await queries.scoreboard(now, reach);
      expect([reach, counted]).toEqual([reach, versioned]);
      sentBack += counted.reduce((n, row) => n + row.sendBacks, 0);
      closed += counted.filter((row) => row.averageDaysToClose !== null).length;
    }
    expect(Math.min(sentBack, closed)).toBeGreaterThan(0);
  });

  // A runner far behind works the next batch out while this one is written (`catchUpInPipeline`): what the batch
  // before left is carried over, not read back. Each batch here is worked out before the one before it is written.
  it.each([1, 7])('stores the same rows with each batch worked out ahead, %s event(s) at a time', async (batchSize) => {
    await projectAll(infra.pool, infra.eventStore, [tasksProjection], `plain_${batchSize}`, batchSize);
    await projectAll(infra.pool, infra.eventStore, [tasksProjection], `ahead_${batchSize}`, batchSize, true);
    const tables = [
      'task_versions',
      'task_states',
      'task_ladders',
      'task_deadline_counts',
      'task_send_back_counts',
      'task_reach',
      'task_reach_counts',
      'task_campaign_days',
      'task_campaign_quantities',
    ];
    for (const table of tables) {
      const rows = async (schema: string) =>
        (
          await infra.pool.query<{ row: string }>(
            `SELECT to_jsonb(t)::text AS row FROM "${schema}".${table} t ORDER BY 1`,
          )
        ).rows.map((r) => r.row);
      const plain = await rows(`proj_tasks_plain_${batchSize}`);
      expect(plain.length).toBeGreaterThan(0);
      expect([table, await rows(`proj_tasks_ahead_${batchSize}`)]).toEqual([table, plain]);
    }
    // A count a batch brought to nothing is deleted (by its key), not kept as a row of zeros.
    const emptied = await infra.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM "proj_tasks_plain_${batchSize}".task_deadline_counts WHERE n = 0)
            + (SELECT count(*) FROM "proj_tasks_plain_${batchSize}".task_reach_counts WHERE n = 0)
            + (SELECT count(*) FROM "proj_tasks_plain_${batchSize}".task_campaign_days
                WHERE open = 0 AND closed = 0 AND overdue = 0)
            + (SELECT count(*) FROM "proj_tasks_plain_${batchSize}".task_campaign_quantities
                WHERE n = 0 AND target = 0 AND done = 0) AS n`,
    );
    expect(Number(emptied.rows[0].n)).toBe(0);
  });
});
