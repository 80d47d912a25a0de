import {
  assignTask,
  breakDownTask,
  executeTaskCommand,
  fileFinding,
  TaskLifecycleCommand,
  UseCaseDeps,
} from '@zhenggai/application';
import { Actor, CommandMetadata } from '@zhenggai/domain';
import { Infrastructure, loadConfig, seedDemo, startInfrastructure, useCaseDeps } from '@zhenggai/platform';
import { randomUUID } from 'node:crypto';
import { everyEventReadable } from '../../../../test/support/every-event-readable';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { createTestDatabase } from '../../../../test/support/test-database';
import { CampaignDefinition } from '../queries/campaign-progress.query';

/** An instant on a day in Asia/Shanghai. */
export const at = (date: string, time = '10:00') => `${date}T${time}:00+08:00`;

/**
 * The demo story on a database of its own, with what a test needs to grow a task tree (逐级分解) in its 危房改造清零
 * campaign: the units of the chain 阜南县住建局 → 王堰镇 (and its neighbour 王家坝镇) → 蔡郢村, actors, and shorthands
 * for commands at given instants. Closed and dropped after the test file.
 */
export interface DemoTreeWorld {
  readonly infra: Infrastructure;
  readonly deps: UseCaseDeps;
  readonly campaign: CampaignDefinition;
  readonly units: {
    readonly county: string;
    readonly town: string;
    readonly neighbour: string;
    readonly village: string;
  };
  readonly inspector: Actor;
  member(unitId: string): Actor;
  meta(actor: Actor, instant: string): CommandMetadata;
  run(
    actor: Actor,
    instant: string,
    taskId: string,
    type: TaskLifecycleCommand['type'],
    data: object,
  ): Promise<unknown>;
  subtask(
    unitId: string,
    share: number,
    deadline?: string,
  ): { unitId: string; deadline: string; measures: string; title: null; share: number };
  readonly evidence: ReadonlyArray<{ ref: string; name: string }>;
  /**
   * The top of the tree: the city's inspector files 阜南县危房改造清零 at `regionId` and assigns its 217 households, due
   * 30 September 2018, to 阜南县住建局 in the campaign (on 1 August 2018). Answers the task's id.
   */
  countyTask(regionId: string): Promise<string>;
  /**
   * A finding filed at `regionId` by the world's inspector at `instant`, and its task (of the same title and measures)
   * assigned to `leadUnitId` at once, due `deadline`, in `campaignId` when given. Answers the task's id.
   */
  assigned(task: {
    readonly title: string;
    readonly regionId: string;
    readonly leadUnitId: string;
    readonly instant: string;
    readonly deadline: string;
    readonly category?: string;
    readonly campaignId?: string;
  }): Promise<string>;
}

export async function demoTreeWorld(): Promise<DemoTreeWorld> {
  const database = await createTestDatabase();
  const infra = await closedAfterThisFile(
    startInfrastructure(loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(40) })),
    async (i) => {
      await i.close();
      await database.drop();
    },
  );
  await seedDemo(infra);
  await everyEventReadable(infra.eventStore);
  const seeded = await infra.eventStore.readAll({ maxCount: 100_000 });
  const launched = seeded.find((e) => e.type === 'CampaignLaunched' && e.data.name === '危房改造清零')!;
  const unitId = async (name: string) => (await infra.directory.findUnitByName(name))!.id;
  const [county, town, neighbour, village] = await Promise.all(
    ['阜南县住房和城乡建设局', '王堰镇人民政府', '王家坝镇人民政府', '蔡郢村民委员会'].map(unitId),
  );
  const deps = useCaseDeps(infra);
  const meta = (actor: Actor, instant: string): CommandMetadata => ({
    actor,
    now: new Date(instant).toISOString(),
    correlationId: randomUUID(),
    causationId: null,
  });
  const inspector: Actor = { userId: randomUUID(), username: 'city', role: 'inspector', unitId: null };
  const campaign: CampaignDefinition = { ...launched.data, launchedAt: launched.metadata.occurredAt };
  const countyTask = async (regionId: string) => {
    const filed = meta(inspector, at('2018-08-01'));
    const finding = await fileFinding(
      deps,
      {
        title: '阜南县危房改造清零',
        description: '',
        regionId,
        category: 'dangerous-housing',
        severity: 'high',
        source: '督查',
        evidence: [],
      },
      filed,
    );
    const assignment = {
      findingId: finding.id,
      leadUnitId: county,
      cooperatingUnitIds: [],
      deadline: '2018-09-30',
      measures: '危房改造清零',
      target: { quantity: 217, unit: '户' },
      campaignId: campaign.campaignId,
      title: null,
    };
    return (await assignTask(deps, assignment, meta(inspector, at('2018-08-01')))).id;
  };
  return {
    infra,
    deps,
    campaign,
    units: { county, town, neighbour, village },
    inspector,
    member: (unit) => ({ userId: randomUUID(), username: `u-${unit}`, role: 'unit', unitId: unit }),
    meta,
    run: (actor, instant, taskId, type, data) =>
      executeTaskCommand(deps, taskId, { type, data, metadata: meta(actor, instant) } as TaskLifecycleCommand),
    subtask: (unit, share, deadline = '2018-09-20') => ({
      unitId: unit,
      deadline,
      measures: '逐户拆除',
      title: null,
      share,
    }),
    evidence: [{ ref: 'demo/report.pdf', name: '验收照片' }],
    countyTask,
    async assigned({ title, regionId, leadUnitId, instant, deadline, category = 'sanitation', campaignId = null }) {
      const filed = meta(inspector, instant);
      const finding = await fileFinding(
        deps,
        { title, description: '', regionId, category, severity: 'medium', source: '督查', evidence: [] },
        filed,
      );
      const assignment = {
        findingId: finding.id,
        leadUnitId,
        cooperatingUnitIds: [],
        deadline,
        measures: title,
        target: null,
        campaignId,
        title,
      };
      return (await assignTask(deps, assignment, filed)).id;
    },
  };
}

/**
 * A tree grown in the campaign at `regionId`: 217 households to 阜南县住建局, 200 to 王堰镇, 10 to 王家坝镇 (due 31
 * August), 150 of 王堰镇's to 蔡郢村 (due 10 September); the village's first submission is sent back by the town, its
 * second verified; the town reports 30 of its own, the county 5. Answers the tasks' ids.
 */
export async function sentBackTree(
  world: DemoTreeWorld,
  regionId: string,
): Promise<{ county: string; town: string; neighbour: string; village: string }> {
  const { deps, member, meta, run, subtask, evidence } = world;
  const { county: housing, town: wangyan, neighbour: wangjiaba, village: caiying } = world.units;
  const county = await world.countyTask(regionId);
  const [countyUnit, townUnit, villageUnit] = [member(housing), member(wangyan), member(caiying)];
  await run(countyUnit, at('2018-08-02'), county, 'AcceptRectificationTask', {});
  const [town, neighbour] = (
    await breakDownTask(
      deps,
      { taskId: county, subtasks: [subtask(wangyan, 200), subtask(wangjiaba, 10, '2018-08-31')] },
      meta(countyUnit, at('2018-08-02', '11:00')),
    )
  ).subtasks.map((s) => s.id);
  await run(townUnit, at('2018-08-03'), town, 'AcceptRectificationTask', {});
  const village = (
    await breakDownTask(
      deps,
      { taskId: town, subtasks: [subtask(caiying, 150, '2018-09-10')] },
      meta(townUnit, at('2018-08-03', '11:00')),
    )
  ).subtasks[0].id;
  await run(villageUnit, at('2018-08-04'), village, 'AcceptRectificationTask', {});
  await run(villageUnit, at('2018-08-14'), village, 'ReportRectificationProgress', {
    quantityDone: 150,
    note: '拆除完成',
    evidence,
  });
  await run(villageUnit, at('2018-08-15'), village, 'SubmitRectification', {
    report: '150 户拆除完成',
    evidence,
    quantityDone: 150,
  });
  await run(townUnit, at('2018-08-16'), village, 'SendBackRectification', { reason: '佐证材料不全' });
  await run(villageUnit, at('2018-08-20'), village, 'SubmitRectification', {
    report: '150 户拆除完成，补齐照片',
    evidence,
    quantityDone: 150,
  });
  await run(townUnit, at('2018-08-25'), village, 'VerifyRectification', { note: '镇里验收合格' });
  await run(townUnit, at('2018-08-26'), town, 'ReportRectificationProgress', {
    quantityDone: 30,
    note: '镇本级',
    evidence,
  });
  await run(countyUnit, at('2018-08-27'), county, 'ReportRectificationProgress', {
    quantityDone: 5,
    note: '县本级',
    evidence,
  });
  return { county, town, neighbour, village };
}
