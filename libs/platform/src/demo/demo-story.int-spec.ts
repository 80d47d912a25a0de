import { StoredEvent } from '@zhenggai/application';
import { everyEventReadable } from '../../../../test/support/every-event-readable';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { loadConfig } from '../config/app-config';
import { Infrastructure, startInfrastructure } from '../infrastructure/infrastructure';
import { seedDemo } from './demo-story';

jest.setTimeout(60_000);

interface Task {
  readonly id: string;
  readonly regionId: string;
  readonly campaignId: string | null;
  readonly parentTaskId: string | null;
  readonly target: { quantity: number; unit: string } | null;
  status: string;
  /** The task's own reported work (a parent's excludes its sub-tasks'). */
  done: number | null;
}

/** The tasks as their events leave them at `until` (the whole story without it). */
function tasksOf(events: readonly StoredEvent[], until = Infinity): Task[] {
  const tasks = new Map<string, Task>();
  for (const e of events.filter((e) => Date.parse(e.metadata.occurredAt) <= until)) {
    const task = tasks.get(e.data.taskId);
    if (e.type === 'RectificationTaskAssigned') {
      const { taskId, regionId, campaignId, target } = e.data;
      const parentTaskId = e.data.parentTaskId ?? null;
      tasks.set(taskId, { id: taskId, regionId, campaignId, parentTaskId, target, status: 'open', done: null });
    } else if (task && (e.type === 'RectificationTaskProgressReported' || e.type === 'RectificationTaskSubmitted')) {
      task.done = e.data.quantityDone ?? task.done;
    } else if (task && e.type === 'RectificationTaskVerified') {
      task.status = 'verified';
    } else if (task && e.type === 'RectificationTaskReopened') {
      task.status = 'open';
    } else if (task && e.type === 'RectificationTaskCancelled') {
      task.status = 'cancelled';
    }
  }
  return [...tasks.values()].filter((t) => t.status !== 'cancelled');
}

/** A task's work rolled up (逐级): its own and what its sub-tasks have had verified, at every depth. */
function rolledUp(task: Task, all: readonly Task[]): number {
  const below = all.filter((t) => t.parentTaskId === task.id && t.status === 'verified');
  return (task.done ?? 0) + below.reduce((n, child) => n + rolledUp(child, all), 0);
}

const sum = (values: readonly number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1000) / 1000;

/**
 * The demo is what a leader is shown first: its figures must add up, as they would in a real ledger, and say what
 * the seed article (../shared/seed/fuyang-meeting-2018.txt) says.
 */
describe('the demo story', () => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let events: StoredEvent[];
  let campaigns: Array<{
    id: string;
    name: string;
    deadline: string;
    targets: Array<{ label: string; quantity: number; unit: string }>;
  }>;

  beforeAll(async () => {
    database = await createTestDatabase();
    infra = await startInfrastructure(loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(40) }));
    await seedDemo(infra);
    await everyEventReadable(infra.eventStore);
    events = await infra.eventStore.readAll({ maxCount: 100_000 });
    campaigns = events.filter((e) => e.type === 'CampaignLaunched').map((e) => ({ id: e.data.campaignId, ...e.data }));
  });
  afterAll(async () => {
    await infra?.close();
    await database?.drop();
  });

  it('gives each campaign quantity targets its top-level tasks add up to, in the same units of measure', () => {
    expect(campaigns.map((c) => c.name)).toEqual(['危房改造清零', '“四个一”整治全覆盖']);
    for (const campaign of campaigns) {
      const linked = tasksOf(events).filter((t) => t.campaignId === campaign.id && t.parentTaskId === null);
      expect(linked.length).toBeGreaterThan(0);
      // Every linked task counts in a unit the campaign counts in, so none of its work falls outside the targets.
      for (const task of linked) expect(campaign.targets.map((t) => t.unit)).toContain(task.target?.unit);
      for (const target of campaign.targets) {
        const tasks = linked.filter((t) => t.target?.unit === target.unit);
        expect([campaign.name, target.unit, sum(tasks.map((t) => t.target!.quantity))]).toEqual([
          campaign.name,
          target.unit,
          target.quantity,
        ]);
      }
    }
  });

  it('tells each campaign as the chain it was: city to county, county to towns, towns to villages', () => {
    for (const campaign of campaigns) {
      const linked = tasksOf(events).filter((t) => t.campaignId === campaign.id);
      const depth = (t: Task): number => (t.parentTaskId ? 1 + depth(linked.find((p) => p.id === t.parentTaskId)!) : 0);
      expect([campaign.name, Math.max(...linked.map(depth))]).toEqual([campaign.name, 2]);
      // No level shares out more than it was given.
      for (const parent of linked) {
        const shares = sum(linked.filter((t) => t.parentTaskId === parent.id).map((t) => t.target?.quantity ?? 0));
        expect(shares).toBeLessThanOrEqual(parent.target?.quantity ?? 0);
      }
    }
  });

  it('completes each campaign: by the end of the story its tasks have done what the targets ask', () => {
    for (const campaign of campaigns) {
      const all = tasksOf(events);
      const linked = all.filter((t) => t.campaignId === campaign.id && t.parentTaskId === null);
      for (const target of campaign.targets) {
        const done = sum(linked.filter((t) => t.target?.unit === target.unit).map((t) => rolledUp(t, all)));
        expect([campaign.name, target.unit, done]).toEqual([campaign.name, target.unit, target.quantity]);
      }
    }
  });

  it('has Caiying’s figures where the article puts them by the 17 July meeting', async () => {
    const caiying = (await infra.directory.listRegions()).find((r) => r.name === '蔡郢村')!.id;
    const all = tasksOf(events, Date.parse('2018-07-17T23:59:59+08:00'));
    const atMeeting = all.filter((t) => t.regionId === caiying && t.target && t.parentTaskId === null);
    // 拆除破旧房屋217户696间，拆除旱厕407个，清淤沟塘20.32公里，同时流转土地2200亩
    expect(atMeeting.map((t) => [t.target!.quantity, t.target!.unit, rolledUp(t, all)]).sort()).toEqual(
      [
        [217, '户', 217],
        [407, '个', 407],
        [20.32, '公里', 20.32],
        [2200, '亩', 2200],
      ].sort(),
    );
    // 确保在9月底前完成消除危房目标 … 全县所有村庄年底前“四个一”整治全覆盖
    expect(campaigns.map((c) => c.deadline)).toEqual(['2018-09-30', '2018-12-31']);
  });
});
