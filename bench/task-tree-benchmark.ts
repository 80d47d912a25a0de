import { randomUUID } from 'node:crypto';
import {
  Actor,
  AssignRectificationTask,
  campaignDecider,
  campaignStreamName,
  DEFAULT_REMINDER_POLICY,
  findingDecider,
  findingStreamName,
  RectificationTaskBrokenDown,
  rectificationTaskDecider,
  taskStreamName,
} from '@zhenggai/domain';
import { Infrastructure } from '@zhenggai/platform';
import { BulkStream, TaskStream } from './bulk-stream';
import { BulkRow, insertChained, ReadSideCase, recordStreamRevisions, ViewGroup } from './projection-benchmark';

/**
 * The read side with task trees (issue 18, 逐级分解): TASKS tasks in blocks of twelve, one finding each. Seven are
 * top-level tasks of their own, spread over the units; five make a tree in a campaign: a task at the county's 住建局
 * broken down among the three towns, the one at 王堰镇 broken down again to 蔡郢村 (county › town › village, depths 0–2).
 * A third of the tasks are thus sub-tasks. Every event is decided by the domain's own deciders, as the use cases
 * would decide it, and stored with the metadata they would store, so projections and reactions take them as real.
 */
export function taskTreeCase(tasks: number): ReadSideCase {
  const blocks = Math.max(1, Math.round(tasks / TASKS_PER_BLOCK));
  return {
    title:
      `read side, task trees (issue 18) — ${(blocks * TASKS_PER_BLOCK).toLocaleString()} tasks, ` +
      'a third of them sub-tasks',
    async write(infra) {
      const world = await treeWorld(infra);
      const { events, campaignId, roots } = await writeTrees(infra, world, blocks);
      const levels = 'byRegionLevel=county,town,village';
      const sample = (n: number) => Array.from({ length: n }, (_, i) => roots[Math.floor((i * roots.length) / n)]);
      const views: ViewGroup[] = [
        {
          name: 'deadlines, by region level (leader)',
          username: 'leader',
          paths: [`/api/views/deadlines?${levels}`, `/api/views/deadlines?${levels}&overdue=true&page=5`],
          requests: 100,
        },
        {
          name: 'deadlines, by region level (funan-leader)',
          username: 'funan-leader',
          paths: [`/api/views/deadlines?${levels}`, `/api/views/deadlines?${levels}&light=yellow,red`],
          requests: 100,
        },
        {
          name: 'campaign progress, by region level (leader)',
          username: 'leader',
          paths: [`/api/campaigns/${campaignId}/progress?${levels}`],
          requests: 100,
        },
        {
          name: 'campaign progress, by region level (funan)',
          username: 'funan-leader',
          paths: [`/api/campaigns/${campaignId}/progress?${levels}`],
          requests: 100,
        },
        {
          name: 'GET /api/tasks/:id/tree (leader)',
          username: 'leader',
          paths: sample(50).map((id) => `/api/tasks/${id}/tree`),
          requests: 100,
        },
        {
          name: 'task list of 阜南县住建局 (all below it)',
          username: 'housing',
          paths: [
            '/api/tasks',
            '/api/tasks?overdue=true',
            '/api/tasks?page=50',
            '/api/tasks?light=yellow,red',
            // As the web app asks: most urgent first.
            '/api/tasks?sort=urgency&pageSize=200',
            '/api/tasks?sort=urgency&status=assigned,accepted,in_progress,submitted&pageSize=200',
          ],
          requests: 100,
        },
        {
          name: 'task list of 王堰镇 (its tasks and 蔡郢村)',
          username: 'unit',
          paths: [
            '/api/tasks',
            '/api/tasks?overdue=true',
            '/api/tasks?page=20',
            '/api/tasks?sort=urgency&pageSize=200',
          ],
          requests: 100,
        },
      ];
      return { events, views };
    },
  };
}

const TASKS_PER_BLOCK = 12;
const DAY = 86_400_000;
const TARGET_UNIT = '户';

interface TreeWorld {
  readonly inspector: Actor;
  /** Each unit's liaison, by the demo's unit key. */
  readonly users: Record<'housing' | 'wangyan' | 'wangjiaba' | 'caoji' | 'caiying', Actor>;
  /** The units the top-level tasks of their own are spread over, each with its liaison and its region. */
  readonly flatUnits: ReadonlyArray<{ actor: Actor; regionId: string }>;
  readonly cityRegionId: string;
  readonly countyRegionId: string;
  /** Every unit's region path (the directory's fact a break-down is decided with). */
  readonly unitRegionPaths: Record<string, readonly string[]>;
  readonly unitNames: Record<string, string>;
}

async function treeWorld(infra: Infrastructure): Promise<TreeWorld> {
  const regions = await infra.directory.listRegions();
  const units = await infra.directory.listUnits();
  const users = await infra.users.list();
  const regionOf = (unitId: string) => regions.find((r) => r.id === units.find((u) => u.id === unitId)!.regionId)!;
  const actorOf = (user: { id: string; username: string; role: Actor['role']; unitId: string | null }): Actor => ({
    userId: user.id,
    username: user.username,
    role: user.role,
    unitId: user.unitId,
  });
  const liaison = (username: string) => actorOf(users.find((u) => u.username === username)!);
  const unitActors = users.filter((u) => u.role === 'unit' && u.unitId).map(actorOf);
  return {
    inspector: liaison('inspector'),
    users: {
      housing: liaison('housing'),
      wangyan: liaison('unit'),
      wangjiaba: liaison('wangjiaba'),
      caoji: liaison('caoji'),
      caiying: liaison('caiying'),
    },
    flatUnits: unitActors.map((actor) => ({ actor, regionId: regionOf(actor.unitId!).id })),
    cityRegionId: regions.find((r) => r.code === '341200')!.id,
    countyRegionId: regions.find((r) => r.code === '341225')!.id,
    unitRegionPaths: Object.fromEntries(units.map((u) => [u.id, regionOf(u.id).path])),
    unitNames: Object.fromEntries(units.map((u) => [u.id, u.name])),
  };
}

async function writeTrees(
  infra: Infrastructure,
  world: TreeWorld,
  blocks: number,
): Promise<{ events: number; campaignId: string; roots: string[] }> {
  const now = Date.now();
  const at = (ms: number) => new Date(ms).toISOString();
  /** The Shanghai calendar date of an instant. */
  const dateOf = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
  const meta = (actor: Actor, ms: number, correlationId: string) => ({ actor, now: at(ms), correlationId });
  const sink = { rows: [] as BulkRow[] };
  const lastHashes = new Map<string, string>();
  let events = 0;
  const flush = async () => {
    await insertChained(infra, sink.rows, lastHashes);
    events += sink.rows.length;
    sink.rows = [];
  };

  const campaignId = randomUUID();
  const campaignDeadline = dateOf(now + 200 * DAY);
  new BulkStream(campaignStreamName(campaignId), campaignDecider, sink).decide({
    type: 'LaunchCampaign',
    data: {
      campaignId,
      name: '基准分解专项',
      description: '逐级分解的基准',
      deadline: campaignDeadline,
      scope: { regionId: world.countyRegionId, category: 'dangerous-housing' },
      targets: [{ label: '危房改造', quantity: blocks * 30, unit: TARGET_UNIT }],
    },
    metadata: meta(world.inspector, now - 90 * DAY, campaignId),
  });

  const task = (id: string) =>
    new BulkStream(taskStreamName(id), rectificationTaskDecider, sink) as unknown as TaskStream;
  const accept = (stream: TaskStream, actor: Actor, ms: number, id: string) =>
    stream.decide({ type: 'AcceptRectificationTask', data: {}, metadata: meta(actor, ms, id) });
  const progress = (stream: TaskStream, actor: Actor, ms: number, id: string, quantityDone: number) =>
    stream.decide({
      type: 'ReportRectificationProgress',
      data: { quantityDone, note: '进展', evidence: [], subtaskStatuses: {} },
      metadata: meta(actor, ms, id),
    });
  /** 分解 as the break-down use case decides it, then each sub-task's stream assigned from what the parent recorded. */
  const breakDown = (
    parent: TaskStream,
    actor: Actor,
    ms: number,
    subtasks: ReadonlyArray<{ unitId: string; deadline: string; share: number }>,
  ): TaskStream[] => {
    const metadata = meta(actor, ms, randomUUID());
    const [brokenDown] = parent.decide({
      type: 'BreakDownRectificationTask',
      data: {
        subtasks: subtasks.map((s) => ({ ...s, taskId: randomUUID(), measures: '逐户整改', title: null })),
        unitRegionPaths: world.unitRegionPaths,
        unitNames: world.unitNames,
        subtaskStatuses: {},
      },
      metadata,
    }) as RectificationTaskBrokenDown[];
    const state = parent.state;
    if (state.status === 'none') throw new Error('a break-down of a task never assigned');
    return brokenDown.data.subtasks.map((subtask) => {
      const stream = task(subtask.taskId);
      const assign: AssignRectificationTask = {
        type: 'AssignRectificationTask',
        data: {
          ...subtask,
          findingId: state.findingId,
          category: state.category,
          cooperatingUnitIds: [],
          campaign: null,
          reminderPolicy: DEFAULT_REMINDER_POLICY,
          parent: {
            taskId: state.taskId,
            rootTaskId: state.rootTaskId,
            depth: state.depth,
            leadUnitId: state.leadUnitId,
            deadline: state.deadline,
            campaignId: state.campaignId,
          },
        },
        metadata,
      };
      stream.decide(assign);
      return stream;
    });
  };

  const roots: string[] = [];
  for (let b = 0; b < blocks; b++) {
    const assignedAt = now - (4 + (b % 56)) * DAY;
    const findingId = randomUUID();
    const finding = new BulkStream(findingStreamName(findingId), findingDecider, sink);
    finding.decide({
      type: 'FileFinding',
      data: {
        findingId,
        title: `基准问题 ${b}`,
        description: '',
        regionId: world.cityRegionId,
        category: 'dangerous-housing',
        severity: 'low',
        source: 'bench',
        evidence: [],
      },
      metadata: meta(world.inspector, assignedAt - 3600_000, findingId),
    });
    /** A top-level task, assigned by the inspector and linked to the block's finding as the assign use case does. */
    const assignTop = (
      unit: { actor: Actor; regionId: string },
      span: number,
      campaign: AssignRectificationTask['data']['campaign'],
      quantity: number,
    ) => {
      const taskId = randomUUID();
      const stream = task(taskId);
      stream.decide({
        type: 'AssignRectificationTask',
        data: {
          taskId,
          findingId,
          title: `基准任务 ${b}`,
          regionId: unit.regionId,
          category: campaign ? 'dangerous-housing' : ['old-housing', 'sanitation', 'roads'][b % 3],
          leadUnitId: unit.actor.unitId!,
          cooperatingUnitIds: [],
          deadline: dateOf(assignedAt + span * DAY),
          measures: '整改措施',
          target: { quantity, unit: TARGET_UNIT },
          campaign,
          reminderPolicy: DEFAULT_REMINDER_POLICY,
          parent: null,
        },
        metadata: meta(world.inspector, assignedAt, taskId),
      });
      finding.decide({
        type: 'LinkTaskToFinding',
        data: { taskId },
        metadata: meta(world.inspector, assignedAt, taskId),
      });
      accept(stream, unit.actor, assignedAt + 3600_000, taskId);
      return { taskId, stream };
    };

    for (let j = 0; j < 7; j++) {
      const k = b * 7 + j;
      const unit = world.flatUnits[k % world.flatUnits.length];
      // Spans of 10 to 99 days from assignments 4 to 59 days ago: about a third overdue.
      const { taskId, stream } = assignTop(unit, 10 + ((k * 37) % 90), null, 10);
      progress(stream, unit.actor, assignedAt + DAY, taskId, k % 11);
    }

    const { users } = world;
    const root = assignTop(
      { actor: users.housing, regionId: world.countyRegionId },
      20 + ((b * 37) % 90),
      { campaignId, deadline: campaignDeadline },
      30,
    );
    roots.push(root.taskId);
    const rootDeadline = Date.parse(`${(root.stream.state as { deadline: string }).deadline}T00:00:00Z`);
    const towns = breakDown(root.stream, users.housing, assignedAt + DAY, [
      { unitId: users.wangyan.unitId!, deadline: dateOf(rootDeadline - 3 * DAY), share: 10 },
      { unitId: users.wangjiaba.unitId!, deadline: dateOf(rootDeadline - 3 * DAY), share: 10 },
      { unitId: users.caoji.unitId!, deadline: dateOf(rootDeadline - 3 * DAY), share: 10 },
    ]);
    const [wangyan, wangjiaba, caoji] = towns;
    const townActors = [users.wangyan, users.wangjiaba, users.caoji];
    towns.forEach((town, i) => accept(town, townActors[i], assignedAt + DAY + 3600_000, root.taskId));
    progress(wangjiaba, users.wangjiaba, assignedAt + 2 * DAY, root.taskId, b % 11 === 10 ? 10 : b % 11);
    progress(caoji, users.caoji, assignedAt + 2 * DAY, root.taskId, (b + 5) % 11 === 10 ? 10 : (b + 5) % 11);
    const [caiying] = breakDown(wangyan, users.wangyan, assignedAt + 2 * DAY, [
      { unitId: users.caiying.unitId!, deadline: dateOf(rootDeadline - 5 * DAY), share: 10 },
    ]);
    accept(caiying, users.caiying, assignedAt + 2 * DAY + 3600_000, root.taskId);
    progress(caiying, users.caiying, assignedAt + 2 * DAY + 6 * 3600_000, root.taskId, (b + 3) % 10);

    if (sink.rows.length >= 20_000) await flush();
  }
  await flush();
  await recordStreamRevisions(infra);
  return { events, campaignId, roots };
}
