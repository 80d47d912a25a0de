import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainHash, contentDigest } from '@zhenggai/application';
import {
  Actor,
  campaignDecider,
  campaignStreamName,
  DEFAULT_REMINDER_POLICY,
  findingDecider,
  findingStreamName,
  rectificationTaskDecider,
  taskStreamName,
} from '@zhenggai/domain';
import { Infrastructure, REMINDERS_QUEUE } from '@zhenggai/platform';
import { findFreePort, readProjectionStatuses, rebuildProjection } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { ReminderJobs } from '../apps/worker/src/reminders/reminder-jobs';
import { ReminderReconciliation } from '../apps/worker/src/reminders/reminder-reconciliation';
import { startScript } from '../scripts/start-command';
import { BulkStream } from './bulk-stream';
import { machineLoad, processCpuMs } from './machine-load';
import { percentile } from './closed-loop';

/**
 * The read side of `npm run bench` (issue 3): with TASKS tasks in the store (three events each, written in
 * bulk), how fast the all-in-one process's projections catch up from nothing, next to the raw rate of reading
 * the same events; the p95 latency of GET /api/views/deadlines; and the process's resident memory.
 * Targets (2 cores): catch-up ≥ 10,000 events/s; p95 < 50 ms; under 300 MB resident.
 */
/**
 * A set of view requests measured together: one line of p50/p95, the requests cycling through `paths` (or the paths
 * worked out once the engine has caught up, from what it answers: a cursor deep in a list).
 */
export interface ViewGroup {
  readonly name: string;
  readonly username: string;
  readonly paths: readonly string[] | ((get: (path: string) => Promise<any>) => Promise<readonly string[]>);
  readonly requests: number;
}

/** One read-side case: the events it writes in bulk, then the views it measures once the engine has caught up. */
export interface ReadSideCase {
  readonly title: string;
  write(infra: Infrastructure): Promise<{ events: number; views: readonly ViewGroup[] }>;
}

/**
 * The read case at each of `sizes` tasks (BENCH_TASKS=100000,1000000), smallest first, on one store that grows: each
 * size adds the tasks the one before did not write, and its read models are built again from nothing (the catch-up is
 * from scratch at every size). With more than one size, the figures then side by side, so the growth is visible.
 */
export async function benchmarkReadSide(infra: Infrastructure, databaseUrl: string, sizes: number[]): Promise<void> {
  const columns: Array<{ title: string; figures: Figures }> = [];
  let written = 0;
  let campaignId: string | undefined;
  for (const size of [...new Set(sizes)].sort((a, b) => a - b)) {
    if (written > 0) await emptyReadModels(infra);
    const added = written > 0 ? ` (${(size - written).toLocaleString()} added to the run before's)` : '';
    const figures = await benchmarkReadSideCase(infra, databaseUrl, {
      title: `read side — ${size.toLocaleString()} tasks${added}`,
      async write() {
        const { events, units, regions, ...result } = await writeDemoTasks(infra, size - written, campaignId);
        campaignId = result.campaignId;
        written = size;
        return { events, views: readCaseViews(units, regions, result.campaignId) };
      },
    });
    columns.push({ title: `${size.toLocaleString()} tasks`, figures });
  }
  if (columns.length > 1) printSideBySide('read side, side by side', columns);
}

/** A run's figures by name, in the order it printed them (what {@link printSideBySide} lines up). */
export type Figures = Map<string, string>;

/** Runs' figures in columns, one line per figure any of them has. */
export function printSideBySide(title: string, columns: ReadonlyArray<{ title: string; figures: Figures }>): void {
  const names = [...new Set(columns.flatMap((c) => [...c.figures.keys()]))];
  const width = Math.max(24, ...columns.flatMap((c) => [c.title, ...c.figures.values()].map((v) => v.length + 2)));
  console.log(`\n${title}\n`);
  console.log(`${''.padEnd(44)} ${columns.map((c) => c.title.padStart(width)).join('')}`);
  for (const name of names)
    console.log(`${name.padEnd(44)} ${columns.map((c) => (c.figures.get(name) ?? '—').padStart(width)).join('')}`);
  console.log('');
}

/**
 * What the read case measures once caught up (issue 22: every query flat with the store's size): the deadline view
 * under its filters; the task list's first page, a page deep in it by number and by cursor, a unit's; the progress of
 * the campaign a third of the tasks belong to, by unit and region and with its burndown; the scoreboard; the audit's
 * first page and one deep in it by cursor; 待办 and 消息; 举一反三.
 */
export function readCaseViews(
  units: ReadonlyArray<{ id: string }>,
  regions: ReadonlyArray<{ id: string }>,
  campaignId: string,
): ViewGroup[] {
  const deadlines = [
    '',
    '?overdue=true',
    `?unitId=${units[0].id}`,
    '?light=yellow,red',
    `?regionId=${regions[0].id}&pageSize=20`,
    '?page=20',
  ].map((query) => `/api/views/deadlines${query}`);
  /** A page nine tenths down a list of `pageSize`, by number: the deepest a client is likely to ask for. */
  const deepPage = async (get: (path: string) => Promise<any>, list: string) => {
    const { total } = await get(`${list}pageSize=1`);
    return Math.max(1, Math.min(100_000, Math.floor((total / 50) * 0.9)));
  };
  /** The cursor of the same page (its `next`), and the page after it by cursor. */
  // A store of one page (the demo's alone) has no page after it: the cursor after its first task then.
  const deepCursor = async (get: (path: string) => Promise<any>, list: string) => {
    const next = (await get(`${list}page=${await deepPage(get, list)}`)).next ?? (await get(`${list}pageSize=1`)).next;
    return next ? `${list}after=${next}` : list.slice(0, -1);
  };
  return [
    { name: 'GET /api/views/deadlines (filters)', username: 'leader', paths: deadlines, requests: 300 },
    {
      name: 'task list, first page (leader)',
      username: 'leader',
      paths: ['/api/tasks', '/api/tasks?sort=urgency', '/api/tasks?sort=urgency&overdue=true'],
      requests: 100,
    },
    {
      name: 'task list, deep page by number (leader)',
      username: 'leader',
      paths: async (get) => [`/api/tasks?page=${await deepPage(get, '/api/tasks?')}`],
      requests: 20,
    },
    {
      name: 'task list, deep page by cursor (leader)',
      username: 'leader',
      paths: async (get) => [await deepCursor(get, '/api/tasks?'), await deepCursor(get, '/api/tasks?sort=urgency&')],
      requests: 100,
    },
    {
      name: 'task list of a unit, first and deep (unit)',
      username: 'unit',
      paths: async (get) => [
        '/api/tasks?sort=urgency',
        '/api/tasks?overdue=true',
        await deepCursor(get, '/api/tasks?'),
      ],
      requests: 100,
    },
    {
      name: 'campaign progress, by region level (leader)',
      username: 'leader',
      paths: [
        `/api/campaigns/${campaignId}/progress`,
        `/api/campaigns/${campaignId}/progress?byRegionLevel=county,town`,
      ],
      requests: 50,
    },
    {
      name: 'campaign progress, quantity burndown',
      username: 'leader',
      paths: [`/api/campaigns/${campaignId}/progress?quantityBurndown=true`],
      requests: 20,
    },
    { name: 'GET /api/units/scoreboard (leader)', username: 'leader', paths: ['/api/units/scoreboard'], requests: 50 },
    {
      name: 'audit, first page and deep by cursor',
      username: 'leader',
      paths: async (get) => {
        const { projections } = await get('/health');
        const head = BigInt(projections.find((p: { name: string }) => p.name === 'audit').position);
        return ['/api/audit', `/api/audit?after=${head / 2n}`, `/api/audit?after=${(head * 9n) / 10n}`];
      },
      requests: 100,
    },
    {
      name: 'to-do and inbox (unit)',
      username: 'unit',
      paths: ['/api/todo', '/api/todo/counts', '/api/inbox'],
      requests: 100,
    },
    {
      name: 'similar findings, 举一反三 (inspector)',
      username: 'inspector',
      paths: regions.slice(0, 5).map((r) => `/api/findings/similar?category=roads&regionId=${r.id}`),
      requests: 50,
    },
  ];
}

/**
 * BENCH_ONLY=views on BENCH_DATABASE_URL: the read case's views measured on the store as it is (one a run of the read
 * case left, at 100,000 or 1,000,000 tasks), by the build at hand: the all-in-one catches up with what it has not
 * applied (a read model of a newer version is rebuilt), then each view is timed as in the read case.
 */
export async function benchmarkStoreViews(infra: Infrastructure, databaseUrl: string): Promise<void> {
  const count = async (sql: string) => Number((await infra.pool.query(sql)).rows[0].n);
  const [events, tasks] = [await count('SELECT count(*) AS n FROM events'), await count(TASKS_IN_STORE)];
  console.log(`\nviews on the store as it is — ${tasks.toLocaleString()} tasks, ${events.toLocaleString()} events\n`);
  const units = (await infra.directory.listUnits()).filter((u) => !u.name.includes('督查'));
  const regions = await infra.directory.listRegions();
  const campaignId = (
    await infra.pool.query(
      `SELECT stream_name FROM events WHERE type = 'CampaignLaunched'
        ORDER BY (data->>'name' = '${BENCH_CAMPAIGN}') DESC, global_position DESC LIMIT 1`,
    )
  ).rows[0].stream_name.slice('campaign-'.length);
  const app = await startAllInOne(databaseUrl);
  try {
    const caughtUp = await app.waitUntilCaughtUp(await eventsBehind(infra));
    const slowest = Math.max(0, ...caughtUp.map((p) => p.seconds));
    console.log(`${'projections caught up'.padEnd(44)} ${slowest.toFixed(1)} s after the process's start`);
    const quiet = await waitUntilQuiet(infra, 5_000, 300_000);
    console.log(
      `${'reactions: settled'.padEnd(44)} ${quiet === null ? 'not within 300 s' : `after ${quiet.toFixed(0)} s`}`,
    );
    await infra.pool.query('ANALYZE');
    for (const group of readCaseViews(units, regions, campaignId)) await measureViews(app, group);
    console.log(`${'all-in-one resident memory'.padEnd(44)} ${app.rssMb()} MB after the queries`);
  } finally {
    await app.stop();
  }
}

const TASKS_IN_STORE = "SELECT count(*) AS n FROM events WHERE type = 'RectificationTaskAssigned'";

/**
 * `count` tasks (titled 基准任务 n) of the demo directory's units and regions, given by its inspector, written in bulk
 * (see {@link writeTasks}), the old-housing third in the campaign `campaignId` (one launched first if none is
 * given); the events written, the units and regions they went to and the campaign.
 */
export async function writeDemoTasks(infra: Infrastructure, count: number, campaignId?: string) {
  const units = (await infra.directory.listUnits()).filter((u) => !u.name.includes('督查'));
  const regions = await infra.directory.listRegions();
  const inspector = (await infra.users.findByUsername('inspector'))!;
  const unitUsers = new Map((await infra.users.list()).filter((u) => u.role === 'unit').map((u) => [u.unitId, u]));
  const written = await writeTasks(
    infra,
    count,
    units.map((u) => u.id),
    regions.map((r) => r.id),
    inspector,
    unitUsers,
    campaignId,
  );
  return { ...written, units, regions };
}

/** The campaign the read case's old-housing tasks (a third) belong to. */
const BENCH_CAMPAIGN = '基准专项';

/**
 * A case's events written in bulk; how fast the all-in-one's projections catch up with them, next to the raw rate of
 * reading the store; the p50 and p95 of each of its view groups, and the process's resident memory; then each
 * projection from scratch, alone.
 */
export async function benchmarkReadSideCase(
  infra: Infrastructure,
  databaseUrl: string,
  readSideCase: ReadSideCase,
): Promise<Figures> {
  const figures: Figures = new Map();
  const load = await machineLoad();
  const { events: written, views } = await readSideCase.write(infra);
  // The store as one in service is: vacuumed and analysed. Bulk-written a moment ago, it is not yet, and autovacuum
  // would set about the events table (hundreds of MB) in the middle of the catch-up measured below.
  await infra.pool.query('VACUUM ANALYZE');
  const total = Number((await infra.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  console.log(
    `\n${readSideCase.title} ` +
      `(${written.toLocaleString()} events written in bulk, ` +
      `${total.toLocaleString()} in the store)\n`,
  );
  figures.set('events in the store', total.toLocaleString());

  let read = 0;
  const rawStart = process.hrtime.bigint();
  for (let after = 0n; ;) {
    const batch = await infra.eventStore.readAll({ after, maxCount: 1000 });
    if (batch.length === 0) break;
    read += batch.length;
    after = batch[batch.length - 1].position;
  }
  const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;
  const rawRate = read / rawSeconds;
  console.log(
    `${'raw store: read all events'.padEnd(44)} ` +
      `${rawRate.toFixed(0).padStart(7)} events/s (${read.toLocaleString()} ` +
      `events, ${rawSeconds.toFixed(1)} s)`,
  );
  figures.set('raw store: read all events', `${rawRate.toFixed(0)} ev/s`);

  const behind = await eventsBehind(infra);
  const reactions = watchReactions(infra);
  const app = await startAllInOne(databaseUrl);
  try {
    const catchUp = await app.waitUntilCaughtUp(behind);
    for (const p of catchUp) {
      console.log(
        `${`projection ${p.name}: catch-up in the all-in-one`.padEnd(44)} ` +
          `${(p.events / p.seconds).toFixed(0).padStart(7)} events/s ` +
          `(${p.seconds.toFixed(1)} s from the process's start; ` +
          `${(p.events / p.sinceAnswering).toFixed(0)} events/s from its first answer to /health)`,
      );
      figures.set(
        `all-in-one catch-up: ${p.name}`,
        `${(p.events / p.seconds).toFixed(0)} ev/s, ${p.seconds.toFixed(0)} s`,
      );
    }
    const rssAfterCatchUp = app.rssMb();
    // Where the peak was: each read model catches up in its turn (the reactions, the reminder scheduler among them,
    // in the turns after the task views').
    const byTurn = app.peakRssByTurn(catchUp);
    console.log(
      `${'all-in-one resident memory, peak by turn'.padEnd(44)} ` +
        `${byTurn.map((turn) => `${turn.name} ${turn.mb}`).join(', ')} MB`,
    );
    figures.set('all-in-one RSS, peak by turn', byTurn.map((turn) => `${turn.name} ${turn.mb}`).join(', '));
    // The views are measured as a running engine serves them, once its reactions have caught up as well: the
    // reminder scheduler, still reading the store from its start after the projections are done, queues every
    // level the overdue third of the tasks owes, and those are fired and recorded as events.
    const quiet = await waitUntilQuiet(infra, 5_000, 300_000);
    console.log(
      `${'reactions and reminders owed: settled'.padEnd(44)} ${
        quiet === null
          ? 'not within 300 s (measuring anyway)'
          : `${quiet.toFixed(0)} s after the projections (nothing moved for 5 s after)`
      }`,
    );
    figures.set('reactions and reminders owed: settled', quiet === null ? '> 300 s' : `+${quiet.toFixed(0)} s`);
    // When each reaction (the reminder scheduler, the dispatcher of what it records, the notifier...) last moved: what
    // the catch-up spent beside the projections, in its turns.
    for (const [name, seconds] of await reactions.stop()) {
      console.log(`${`reaction ${name}: last moved`.padEnd(44)} ${seconds.toFixed(1)} s from the process's start`);
      figures.set(`reaction ${name}: last moved`, `${seconds.toFixed(0)} s`);
    }
    const ladder = await infra.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE type IN ('RectificationTaskReminded', 'RectificationTaskEscalated')`,
    );
    console.log(`${'reminder levels recorded'.padEnd(44)} ${Number(ladder.rows[0]!.n).toLocaleString()}`);
    figures.set('reminder levels recorded', Number(ladder.rows[0]!.n).toLocaleString());
    // Statistics for the freshly filled read models, as autovacuum's analyze gives them within a minute.
    await infra.pool.query('ANALYZE');
    for (const group of views) figures.set(group.name, await measureViews(app, group));
    const reconciled = await reconcileOnce(infra);
    console.log(
      `${"reminders' reconciliation: one run".padEnd(44)} ${reconciled.seconds.toFixed(1)} s ` +
        `(${reconciled.openTasks.toLocaleString()} open tasks due soon enough to owe a level read, ` +
        `${reconciled.remindersRequeued} levels queued)`,
    );
    figures.set("reminders' reconciliation: one run", `${reconciled.seconds.toFixed(1)} s`);
    console.log(
      `${'all-in-one resident memory'.padEnd(44)} ${app.peakRssMb()} MB at ` +
        `most during catch-up, ${rssAfterCatchUp} MB after it, ${app.rssMb()} ` +
        'MB after the queries (target < 300 MB)',
    );
    figures.set('all-in-one RSS, peak', `${app.peakRssMb()} MB`);
  } finally {
    await app.stop();
  }
  // Each projection alone, from the start of the store into a fresh generation (what a rebuild or a new
  // projection does), while nothing else runs.
  for (const projection of allProjections) {
    const start = process.hrtime.bigint();
    const result = await rebuildProjection({ pool: infra.pool, projection });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `${`projection ${projection.name}: from scratch, alone`.padEnd(44)} ` +
        `${(result.events / seconds).toFixed(0).padStart(7)} events/s ` +
        `(${result.events.toLocaleString()} events, ${seconds.toFixed(1)} s; ` +
        'target ≥ 10,000)',
    );
    figures.set(`from scratch, alone: ${projection.name}`, `${(result.events / seconds).toFixed(0)} ev/s`);
  }
  const during = load.describe(true);
  console.log(`${'machine load'.padEnd(44)} ${during}`);
  figures.set('machine load', during);
  return figures;
}

/**
 * One run of what the reminders' reconciliation does every `REMINDER_RECONCILE_SECONDS` (10 minutes) in service, on the
 * store just caught up and beside the running engine: every open task's levels owed within the hour compared with the
 * queue (the engine's own, on the same backend). The time a running worker spends on it at every run.
 */
async function reconcileOnce(infra: Infrastructure) {
  const jobs = new ReminderJobs(infra.queues.queue(REMINDERS_QUEUE));
  const caughtUp = async () => true;
  const unused = null as never;
  const reconciliation = new ReminderReconciliation(
    infra.pool,
    jobs,
    unused,
    unused,
    infra.clock,
    3_600_000,
    caughtUp,
    caughtUp,
  );
  const start = process.hrtime.bigint();
  const result = await reconciliation.queueLevelsOwed();
  return { ...result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const TASKS_PER_FINDING = 5;

/**
 * Assigned + accepted + progress for each task, and a finding for every five, written in bulk (the write path is
 * measured apart) as the deciders decide them, so that each event is what the engine would have stored (the
 * assignment with its reminder ladder, which the reminder scheduler reads); the old-housing third of the tasks in a
 * campaign launched first (or in `existingCampaignId`).
 */
async function writeTasks(
  infra: Infrastructure,
  count: number,
  unitIds: string[],
  regionIds: string[],
  inspector: { id: string; username: string },
  unitUsers: Map<string | null, { id: string; username: string; unitId: string | null }>,
  existingCampaignId?: string,
): Promise<{ events: number; campaignId: string }> {
  const today = Date.now();
  const dateOf = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
  const meta = (actor: Actor, ms: number, correlationId: string) => ({
    actor,
    now: new Date(ms).toISOString(),
    correlationId,
  });
  const inspectorActor: Actor = { userId: inspector.id, username: inspector.username, role: 'inspector', unitId: null };
  const sink = { rows: [] as BulkRow[] };
  let written = 0;
  // Each stream's latest hash: the rows are chained as the store's append would chain them, or the engine
  // could append nothing more to these streams (its reminder firings would fail and be retried meanwhile).
  const lastHashes = new Map<string, string>();
  const flush = async () => {
    await insertChained(infra, sink.rows, lastHashes);
    written += sink.rows.length;
    sink.rows = [];
  };
  const campaignId = existingCampaignId ?? randomUUID();
  const campaignDeadline = dateOf(today + 60 * 86_400_000);
  if (!existingCampaignId)
    new BulkStream(campaignStreamName(campaignId), campaignDecider, sink).decide({
      type: 'LaunchCampaign',
      data: {
        campaignId,
        name: BENCH_CAMPAIGN,
        description: '',
        deadline: campaignDeadline,
        scope: { regionId: null, category: 'old-housing' },
        targets: [{ label: '旧房整治', quantity: Math.ceil(count / 3) * 10, unit: '户' }],
      },
      metadata: meta(inspectorActor, today - 90 * 86_400_000, campaignId),
    });
  let finding = new BulkStream(findingStreamName(randomUUID()), findingDecider, sink);
  for (let i = 0; i < count; i++) {
    const taskId = randomUUID();
    const assignedAt = today - (60 - (i % 60)) * 86_400_000;
    // A finding groups five tasks, as the API would have written it: filed, then each task linked.
    if (i % TASKS_PER_FINDING === 0) {
      const findingId = randomUUID();
      finding = new BulkStream(findingStreamName(findingId), findingDecider, sink);
      finding.decide({
        type: 'FileFinding',
        data: {
          findingId,
          title: `基准问题 ${i}`,
          description: '',
          regionId: regionIds[i % regionIds.length],
          category: 'roads',
          severity: 'low',
          source: 'bench',
          evidence: [],
        },
        metadata: meta(inspectorActor, today - (61 - (i % 60)) * 86_400_000, findingId),
      });
    }
    const findingId = (finding.state as { findingId: string }).findingId;
    finding.decide({ type: 'LinkTaskToFinding', data: { taskId }, metadata: meta(inspectorActor, assignedAt, taskId) });
    const unitId = unitIds[i % unitIds.length];
    const user = unitUsers.get(unitId) ?? { id: inspector.id, username: 'unit', unitId };
    const unitActor: Actor = { userId: user.id, username: user.username, role: 'unit', unitId };
    const task = new BulkStream(taskStreamName(taskId), rectificationTaskDecider, sink);
    task.decide({
      type: 'AssignRectificationTask',
      data: {
        taskId,
        findingId,
        title: `基准任务 ${i}`,
        regionId: regionIds[i % regionIds.length],
        category: ['old-housing', 'sanitation', 'roads'][i % 3],
        leadUnitId: unitId,
        cooperatingUnitIds: [],
        deadline: dateOf(today + ((i % 90) - 30) * 86_400_000),
        measures: '整改措施',
        target: { quantity: 10, unit: '户' },
        campaign: i % 3 === 0 ? { campaignId, deadline: campaignDeadline } : null,
        reminderPolicy: DEFAULT_REMINDER_POLICY,
        parent: null,
      },
      metadata: meta(inspectorActor, assignedAt, taskId),
    });
    task.decide({
      type: 'AcceptRectificationTask',
      data: {},
      metadata: meta(unitActor, assignedAt + 3600_000, taskId),
    });
    task.decide({
      type: 'ReportRectificationProgress',
      data: { quantityDone: i % 11, note: '进展', evidence: [], subtaskStatuses: {} },
      metadata: meta(unitActor, assignedAt + 86_400_000, taskId),
    });
    if (sink.rows.length >= 20_000) await flush();
  }
  await flush();
  await recordStreamRevisions(infra);
  return { events: written, campaignId };
}

/** Rows appended to the events table as they come, each chained onto its stream's last (rows in revision order). */
export async function insertChained(
  infra: Infrastructure,
  rows: readonly BulkRow[],
  lastHashes: Map<string, string>,
): Promise<void> {
  await infra.pool.query(
    `INSERT INTO events (stream_name, stream_revision, event_id, type, data, metadata, previous_hash, hash)
     SELECT stream_name, stream_revision, event_id, type, data, metadata, previous_hash, hash
       FROM jsonb_to_recordset($1::jsonb)
         AS e(stream_name text, stream_revision bigint, event_id uuid, type text, data jsonb, metadata jsonb,
              previous_hash text, hash text)`,
    [JSON.stringify(rows.map((row) => chained(row, lastHashes)))],
  );
}

/** Once the bulk rows are in, each stream's revision as the store's append would have recorded it. */
export async function recordStreamRevisions(infra: Infrastructure): Promise<void> {
  await infra.pool.query(
    `INSERT INTO streams (stream_name, revision)
       SELECT stream_name, max(stream_revision) FROM events GROUP BY stream_name
     ON CONFLICT (stream_name) DO UPDATE SET revision = EXCLUDED.revision`,
  );
}

export type BulkRow = {
  stream_name: string;
  stream_revision: number;
  event_id: string;
  type: string;
  data: unknown;
  metadata: unknown;
};

/** The row with its place in its stream's hash chain (`hash-chain.ts`); rows come in revision order per stream. */
function chained(
  row: BulkRow,
  lastHashes: Map<string, string>,
): BulkRow & { previous_hash: string | null; hash: string } {
  const previous = row.stream_revision === 0 ? null : lastHashes.get(row.stream_name)!;
  const digest = contentDigest({
    streamName: row.stream_name,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    eventId: row.event_id,
  });
  const hash = chainHash(previous, row.stream_revision, digest);
  lastHashes.set(row.stream_name, hash);
  return { ...row, previous_hash: previous, hash };
}

/** A slow view is measured for this long at most (and at least ten times): a run of seconds-long answers ends. */
const VIEW_GROUP_MAX_MS = 30_000;

/** One group's requests in turn (after a few unmeasured ones), and its p50 and p95 (printed; the p95 answered). */
async function measureViews(app: { url: string; login(username: string): Promise<string> }, group: ViewGroup) {
  const token = await app.login(group.username);
  const request = async (path: string) => {
    const response = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${path} as ${group.username}: ${response.status}`);
    return response;
  };
  const get = async (path: string) => (await request(path)).json();
  const paths = typeof group.paths === 'function' ? await group.paths(get) : group.paths;
  const latencies: number[] = [];
  const until = Date.now() + VIEW_GROUP_MAX_MS;
  for (let i = -Math.min(10, paths.length); i < group.requests && (i < 10 || Date.now() < until); i++) {
    const path = paths[(i + paths.length) % paths.length];
    const start = process.hrtime.bigint();
    await (await request(path)).arrayBuffer();
    if (i >= 0) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `${group.name.padEnd(44)} p50 ${percentile(latencies, 50).toFixed(1)} ms   p95 ` +
      `${percentile(latencies, 95).toFixed(1)} ms (target < 50 ms; ${latencies.length} requests)`,
  );
  return `p95 ${percentile(latencies, 95).toFixed(1)} ms`;
}

/** The built all-in-one process, as `npm start` runs it (the same node options) but on the benchmark's database. */
export async function startAllInOne(databaseUrl: string) {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const npmStart = startScript(join(__dirname, '../..'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...npmStart.nodeOptions,
      // BENCH_CPU_PROFILE_DIR: the all-in-one writes a V8 CPU profile there when it stops (to find where the
      // catch-up's time goes; read it with Chrome's DevTools or bench/cpu-profile-summary.ts).
      ...(process.env.BENCH_CPU_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
        : []),
      join(__dirname, '../apps/all-in-one/src/main.js'),
    ],
    {
      env: {
        ...process.env,
        ...npmStart.env,
        DATABASE_URL: databaseUrl,
        JWT_SECRET: randomUUID() + randomUUID(),
        PORT: String(port),
        HOST: '127.0.0.1',
        SEED_DEMO: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const started = Date.now();
  const rssMb = () =>
    Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024);
  let peakRssMb = 0;
  /** The resident memory sampled while waiting for the catch-up: seconds from the process's start, MB. */
  const rssSamples: Array<[number, number]> = [];
  const health = async () => {
    const response = await fetch(`${url}/health`).catch(() => null);
    return response?.ok
      ? ((await response.json()) as { projections: Array<{ name: string; lag: number; position: string }> })
      : null;
  };
  return {
    url,
    rssMb,
    /** The CPU time (ms) the process has used so far. */
    cpuMs: () => processCpuMs(child.pid!)?.ms ?? 0,
    /** The highest resident memory seen while waiting for the catch-up. */
    peakRssMb: () => peakRssMb,
    /**
     * The highest resident memory seen in each turn of the catch-up (from the turn before's end until the projection
     * had caught up; the first from the start), in the order the projections caught up.
     */
    peakRssByTurn(caughtUp: ReadonlyArray<{ name: string; seconds: number }>): Array<{ name: string; mb: number }> {
      const turns = [...caughtUp].sort((a, b) => a.seconds - b.seconds);
      return turns.map((turn, i) => ({
        name: turn.name,
        mb: Math.max(
          0,
          ...rssSamples
            .filter(([at]) => at > (i === 0 ? -1 : turns[i - 1]!.seconds) && at <= turn.seconds)
            .map(([, mb]) => mb),
        ),
      }));
    },
    /**
     * Time from the process's start until each projection has caught up with the head, and from its first answer to
     * `/health` (`sinceAnswering`: what the start-up itself took, migrations included, is left out).
     */
    async waitUntilCaughtUp(behind: Map<string, number>) {
      const done = new Map<string, { name: string; events: number; seconds: number; sinceAnswering: number }>();
      let answeredAt: number | null = null;
      for (;;) {
        const rss = rssMb();
        peakRssMb = Math.max(peakRssMb, rss);
        rssSamples.push([(Date.now() - started) / 1000, rss]);
        const status = await health();
        if (status && answeredAt === null) answeredAt = Date.now();
        for (const p of status?.projections ?? []) {
          if (p.lag === 0 && !done.has(p.name))
            done.set(p.name, {
              name: p.name,
              events: behind.get(p.name) ?? 0,
              seconds: (Date.now() - started) / 1000,
              sinceAnswering: (Date.now() - answeredAt!) / 1000,
            });
        }
        if (done.size === behind.size) return [...done.values()];
        if (Date.now() - started > CATCH_UP_LIMIT_MS)
          throw new Error(`projections did not catch up within ${CATCH_UP_LIMIT_MS / 60_000} minutes`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async login(username: string): Promise<string> {
      const response = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'rectify-demo' }),
      });
      return ((await response.json()) as { accessToken: string }).accessToken;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** How long the all-in-one is given to catch up: BENCH_CATCH_UP_MINUTES (10 by default; a million tasks take more). */
const CATCH_UP_LIMIT_MS = Number(process.env.BENCH_CATCH_UP_MINUTES ?? 10) * 60_000;

/** How many events each projection has still to apply. */
export async function eventsBehind(infra: Infrastructure): Promise<Map<string, number>> {
  const behind = new Map<string, number>();
  for (const status of await readProjectionStatuses(
    infra.pool,
    allProjections.map((p) => p.name),
  )) {
    const projection = allProjections.find((p) => p.name === status.name)!;
    const { rows } = await infra.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE global_position > $1 AND type LIKE ANY($2::text[])`,
      [status.position.toString(), projection.eventTypePrefixes.map((prefix) => `${prefix}%`)],
    );
    behind.set(status.name, Number(rows[0].n));
  }
  return behind;
}

/**
 * Waits until the store's head, the projections' positions and the reactions' checkpoints have not moved for
 * `quietMs`; the seconds until they last moved, or null after `timeoutMs`.
 */
export async function waitUntilQuiet(
  infra: Infrastructure,
  quietMs: number,
  timeoutMs: number,
): Promise<number | null> {
  const names = allProjections.map((projection) => projection.name);
  const started = Date.now();
  let last = '';
  let since = started;
  while (Date.now() - started < timeoutMs) {
    const statuses = await readProjectionStatuses(infra.pool, names, infra.projectionSource);
    const { rows } = await infra.pool.query<{ positions: string | null }>(
      `SELECT string_agg(name || ':' || position, ',' ORDER BY name) AS positions FROM subscription_checkpoints`,
    );
    const now = [statuses[0]?.head ?? 0n, ...statuses.map((status) => status.position), rows[0]?.positions ?? ''].join(
      '|',
    );
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return (since - started) / 1000;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

/**
 * Follows the reactions' checkpoints from now (every half second) until `stop`, which answers when each last moved,
 * in seconds from the start of the watch, in the order they finished.
 */
function watchReactions(infra: Infrastructure) {
  const started = Date.now();
  const seen = new Map<string, { position: string; at: number }>();
  let stopped = false;
  const watching = (async () => {
    while (!stopped) {
      const { rows } = await infra.pool
        .query<{ name: string; position: string }>('SELECT name, position::text FROM subscription_checkpoints')
        .catch(() => ({ rows: [] as Array<{ name: string; position: string }> }));
      for (const { name, position } of rows)
        if (seen.get(name)?.position !== position) seen.set(name, { position, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    async stop(): Promise<Array<[string, number]>> {
      stopped = true;
      await watching;
      return [...seen]
        .map(([name, { at }]): [string, number] => [name, (at - started) / 1000])
        .sort((a, b) => a[1] - b[1]);
    },
  };
}

/** Every read model dropped, as if no projection had ever run: the next process builds each from the first event. */
export async function emptyReadModels(infra: Infrastructure): Promise<void> {
  const { rows } = await infra.pool.query<{ schema: string }>(
    `SELECT nspname AS schema FROM pg_namespace WHERE nspname LIKE 'proj\\_%'`,
  );
  for (const { schema } of rows) await infra.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  await infra.pool.query('DELETE FROM projection_checkpoints');
  await infra.pool.query('DELETE FROM projection_state');
}
