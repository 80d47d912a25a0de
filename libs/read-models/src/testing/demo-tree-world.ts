import { assignTask, executeTaskCommand, fileFinding, TaskLifecycleCommand, UseCaseDeps } from '@zhenggai/application';
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
  };
}
