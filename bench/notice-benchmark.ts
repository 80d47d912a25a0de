import { HAND_OVER_EVENT_TYPES } from '@zhenggai/application';
import { Infrastructure, JobQueues, QueueBackend } from '@zhenggai/platform';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import { createApiApp } from '../apps/api/src/create-api-app';
import { HAND_OVER_NOTIFIER } from '../apps/worker/src/reminders/hand-over-notifier.reactor';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { DEFAULT_REMINDER_POLICY } from '@zhenggai/domain';
import { readdirSync } from 'node:fs';
import { processCpuMs } from './machine-load';
import { machineBusyMs, percentile, Sample } from './closed-loop';
import { appendAssignments } from './task-sized-event';
import { benchBackends, dropQueue, webhookReceiver } from './reminder-benchmark';
import {
  FIRST_WARMUP_MS,
  httpRate,
  merged,
  projectionsCaughtUp,
  rateOf,
  rawStoreRate,
  report,
  WARMUP_MS,
} from './write-path';

/** Assignments appended into the idle all-in-one per side of the cost measured alone (0: not measured). */
const ALONE_TASKS = Number(process.env.BENCH_NOTICE_ALONE_TASKS ?? 3000);
/** How long the case waits, after a side and after the load, for the notices still owed to arrive. */
const DRAIN_MS = Number(process.env.BENCH_NOTICE_DRAIN_SECONDS ?? 60) * 1000;
/**
 * The receiver's format: `json-batch` (several notices a request: what a unit's own system takes under a burst) or
 * `json` (a request a notice).
 */
const FORMAT = (process.env.BENCH_NOTICE_FORMAT ?? 'json-batch') as 'json' | 'json-batch';
if (FORMAT !== 'json' && FORMAT !== 'json-batch') throw new Error('BENCH_NOTICE_FORMAT must be json or json-batch');

/** The ratio's target: notices on may cost the command path at most this much of its HTTP / raw ratio. */
const RATIO_DROP_TARGET = 0.03;

/**
 * Rounds, each an HTTP part without channels and one with the webhook, next to each other between two raw parts, and
 * each part's length. Parts are short, so that a round's two HTTP parts meet the same minutes of the machine; rounds
 * are many, so that a part that met an autovacuum or a neighbour's burst is one round of many. The write path's
 * rounds (`BENCH_ROUNDS`, 3, each HTTP part with a raw part of its own) were too few for that: one run's rounds of the
 * same kind spread from 0.24 to 0.47 of raw, eight times the target.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_NOTICE_ROUNDS ?? 8));
const PART_MS = Number(process.env.BENCH_NOTICE_PART_SECONDS ?? 5) * 1000;
/** Prints each part as it ends: its rate, the CPU and writes an operation, PostgreSQL's upkeep meanwhile. */
const PARTS = process.env.BENCH_NOTICE_PARTS === '1';

/**
 * Hand-over notices under the write load (issue 19), on each queue backend: the all-in-one (API and worker, reminders
 * on, so the HandOverNotifier runs) takes the write benchmark's command stream in rounds, each an HTTP part with the
 * assignees' unit (王堰镇, which the load assigns every task to) without channels and one with a webhook channel on
 * it pointing at a receiver in a process of its own (a robot is another machine), between two raw parts. Each
 * assignment is a notice; its latency runs from the event's time (the payload's `recordedAt`, the instant the command
 * was taken) to its arrival, so it covers the notifier's lag, the ledger, the queue and the POST. Targets: p99 under
 * 2 s on Redis, 5 s on PostgreSQL; the HTTP / raw ratio with notices at most 0.03 below the ratio without (the median
 * of the rounds' own drops).
 */
export async function benchmarkNotices(infra: Infrastructure): Promise<void> {
  const backends = await benchBackends(infra, 'notices');
  console.log(
    `\nnotices (issue 19) — the write load on the all-in-one in ${ROUNDS} rounds of ${PART_MS / 1000} s parts: raw, ` +
      `HTTP with the assignees' unit without channels and HTTP with a ${FORMAT} webhook on it (in turns), raw\n`,
  );
  for (const [name, backend, targetMs] of backends) await noticesOn(infra, name, backend, targetMs);
}

interface Arrival {
  readonly recordedAt: number;
  readonly at: number;
}

async function noticesOn(infra: Infrastructure, name: string, backend: QueueBackend, targetMs: number): Promise<void> {
  const arrivals = new Map<string, Arrival>();
  let repeated = 0;
  const receiver = await webhookReceiver((body, at) => {
    const id = body.deliveryId as string;
    if (body.type !== 'zhenggai.notice') return;
    if (arrivals.has(id)) repeated++;
    else arrivals.set(id, { recordedAt: Date.parse(body.recordedAt as string), at });
  });
  // The process as `npm start` runs it with this backend: REDIS_URL set or not, reminders on.
  const queues = new JobQueues(backend);
  const processInfra: Infrastructure = {
    ...infra,
    config: {
      ...infra.config,
      reminders: true,
      redisUrl: backend.kind === 'redis' ? backend.url : null,
      redisPrefix: (backend.kind === 'redis' && backend.prefix) || infra.config.redisPrefix,
      // Each side's load generator signs in afresh; the case signs in a dozen times a minute.
      loginRatePerMinute: 10_000,
    },
    queues,
  };
  // The notifier starts at the head: the tasks of the parts before are not this case's notices.
  const checkpoints = new PostgresCheckpointStore(infra.pool);
  await checkpoints.save(HAND_OVER_NOTIFIER, await head(infra));
  const unitId = (await infra.users.list()).find((u) => u.username === 'unit')!.unitId!;
  const app = await createApiApp(processInfra, {
    imports: [WorkerModule.register(processInfra)],
    logger: ['error'],
  });
  try {
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const admin = await signIn(base, 'admin');
    const setChannels = (channels: unknown[]) => setUnitChannels(infra, base, admin, unitId, channels);
    /** The store's stretches written by the sides with the webhook: each of their assignments owes one notice. */
    const noticed: Array<[bigint, bigint]> = [];
    const owed = async () => {
      let count = 0;
      for (const [from, to] of noticed) count += await assignmentsBetween(infra, unitId, from, to);
      return count;
    };
    /** Waits (at most DRAIN_MS) until a notice of every assignment owing one has arrived. */
    const drained = async (): Promise<void> => {
      for (const until = Date.now() + DRAIN_MS; Date.now() < until; await pause(100))
        if (arrivals.size >= (await owed())) return;
    };
    /** Waits until the notifier has read all there is for it: what it reads next is only what comes after. */
    const notifierAtHead = async (): Promise<void> => {
      // Its checkpoint is the last event of its types it read: the others in between (the raw side's) move it not.
      const { rows } = await infra.pool.query<{ p: string }>(
        'SELECT coalesce(max(global_position), 0) AS p FROM events WHERE type = ANY($1)',
        [[...HAND_OVER_EVENT_TYPES]],
      );
      const at = BigInt(rows[0]!.p);
      for (const until = Date.now() + DRAIN_MS; Date.now() < until; await pause(100))
        if ((await checkpoints.load(HAND_OVER_NOTIFIER)) >= at) return;
    };
    // Paired rounds on the same unit (王堰镇), whose tasks the load makes. A round is a raw part, an HTTP part with the
    // unit's channels removed and one with a webhook on it (in turns: without first in even rounds), and a raw part
    // again: the two HTTP parts are next to each other, and both are compared with the round's raw rate (its two parts
    // together, a side's raw rate does not depend on the notices: the raw loop's events are no hand-overs). Each part
    // starts once the projections have caught up and the notices owed so far have arrived, and the webhook is set or
    // removed only once the notifier has read everything before, so that no part pays for what another left behind.
    // Both HTTP parts meet the same store, the same minutes of the machine and the same notifier, which reads every
    // assignment either way: what differs is the notices sent. (Two units would differ by more than the target: in
    // one run without any channel, a side of 蔡郢村's tasks ran 10 % more commands a second than 王堰镇's.)
    /** Each round's two raw parts, and its HTTP parts without channels and with the webhook. */
    const raw: Sample[][] = [];
    const quiet: Sample[] = [];
    const noticing: Sample[] = [];
    const settled = async () => {
      await projectionsCaughtUp(infra);
      await drained();
    };
    for (let round = 0; round < ROUNDS; round++) {
      const rawParts: Sample[] = [];
      const http = round % 2 === 0 ? [quiet, noticing] : [noticing, quiet];
      await settled();
      rawParts.push(
        await part(infra, `${round} raw`, () =>
          rawStoreRate(infra, PART_MS, round === 0 ? FIRST_WARMUP_MS : WARMUP_MS),
        ),
      );
      for (const side of http) {
        await settled();
        await notifierAtHead();
        await setChannels(side === noticing ? [{ kind: 'webhook', url: receiver.url, format: FORMAT }] : []);
        const from = await head(infra);
        const warmupMs = round === 0 && side === http[0] ? FIRST_WARMUP_MS : WARMUP_MS;
        side.push(
          await part(infra, `${round} ${side === noticing ? 'on' : 'off'}`, () => httpRate(base, PART_MS, warmupMs)),
        );
        if (side === noticing) noticed.push([from, await head(infra)]);
      }
      await settled();
      rawParts.push(await part(infra, `${round} raw`, () => rawStoreRate(infra, PART_MS, WARMUP_MS)));
      raw.push(rawParts);
    }
    const loadEnded = Date.now();
    await drained();
    const drainSeconds = (Date.now() - loadEnded) / 1000;
    const expected = await owed();
    await setChannels([]);

    console.log(`${name}:`);
    const rawRate = report('  raw store: read stream + append', merged(raw.flat())).rate;
    const quietRate = report('  HTTP commands, the unit without channels', merged(quiet)).rate;
    const noticingRate = report(`  HTTP commands, a ${FORMAT} webhook on it`, merged(noticing)).rate;
    // Each round's drop compares its own two HTTP parts, next to each other, with its own raw rate; the verdict is the
    // median of those, which a round or two disturbed by something else (an autovacuum in one part, a neighbour on
    // the VM) does not move.
    const rawOf = raw.map((parts) => rateOf(merged(parts)));
    const without = quiet.map((sample, round) => rateOf(sample) / rawOf[round]!);
    const withNotices = noticing.map((sample, round) => rateOf(sample) / rawOf[round]!);
    const drops = without.map((ratio, round) => ratio - withNotices[round]!);
    const drop = round2(median(drops));
    const list = (values: number[]) => values.map((value) => round2(value).toFixed(2)).join(', ');
    console.log(
      `HTTP rate / raw rate: ${(quietRate / rawRate).toFixed(2)} without channels (round by round ` +
        `${list(without)}), ${(noticingRate / rawRate).toFixed(2)} with notices (${list(withNotices)})`,
    );
    console.log(
      `  drop, round by round: ${list(drops)}; overall ${round2((quietRate - noticingRate) / rawRate).toFixed(2)}; ` +
        `median of the rounds ${drop.toFixed(2)} ` +
        `(target ≤ ${RATIO_DROP_TARGET.toFixed(2)}${drop > RATIO_DROP_TARGET ? ', MISSED' : ''})`,
    );
    await printLatencies(infra, name, arrivals, expected, repeated, targetMs, drainSeconds);
    if (ALONE_TASKS > 0)
      await costAlone(infra, name, unitId, receiver, setChannels, () => arrivals.size, notifierAtHead);
    console.log('');
  } finally {
    await app.close();
    await queues.close();
    await receiver.close();
    await dropQueue(backend);
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100 || 0; // no "-0.00"

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * From the event's time to arrival, and its two parts: the event to its row in the delivery ledger (the notifier's
 * lag: it lingers, reads, records) and the ledger to arrival (the queue, the job, the POST).
 */
async function printLatencies(
  infra: Infrastructure,
  name: string,
  arrivals: ReadonlyMap<string, Arrival>,
  expected: number,
  repeated: number,
  targetMs: number,
  drainSeconds: number,
): Promise<void> {
  const { rows } = await infra.pool.query<{ id: string; created_at: Date }>(
    'SELECT id, created_at FROM deliveries WHERE id = ANY($1)',
    [[...arrivals.keys()]],
  );
  const recorded = new Map(rows.map((r) => [r.id, r.created_at.getTime()]));
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const total = sorted([...arrivals.values()].map((a) => a.at - a.recordedAt));
  const toLedger = sorted(
    [...arrivals].filter(([id]) => recorded.has(id)).map(([id, a]) => recorded.get(id)! - a.recordedAt),
  );
  const fromLedger = sorted(
    [...arrivals].filter(([id]) => recorded.has(id)).map(([id, a]) => a.at - recorded.get(id)!),
  );
  const line = (values: number[]) =>
    `p50 ${percentile(values, 50).toFixed(0)} ms   p95 ${percentile(values, 95).toFixed(0)} ms   ` +
    `p99 ${percentile(values, 99).toFixed(0)} ms   max ${(values[values.length - 1] ?? NaN).toFixed(0)} ms`;
  const p99 = percentile(total, 99);
  const missing = expected - arrivals.size;
  console.log(
    `${name}: ${arrivals.size} of ${expected} notices arrived` +
      `${missing > 0 ? ` (${missing} NOT ARRIVED within ${DRAIN_MS / 1000} s)` : ''}` +
      `${repeated > 0 ? `, ${repeated} twice` : ''}; the last ${drainSeconds.toFixed(1)} s after the load`,
  );
  console.log(
    `  event → arrival:        ${line(total)}   (target p99 < ${targetMs} ms${p99 < targetMs ? '' : ', MISSED'})`,
  );
  console.log(`  event → ledger row:     ${line(toLedger)}`);
  console.log(`  ledger row → arrival:   ${line(fromLedger)}`);
}

/**
 * A part, printed when it ends (BENCH_NOTICE_PARTS=1): its rate, the machine's CPU an operation and who used it (over
 * the part and its warm-up), and PostgreSQL's upkeep meanwhile (autovacuums and analyses finished, checkpoints, the
 * autovacuum still running).
 */
async function part(infra: Infrastructure, name: string, measure: () => Promise<Sample>): Promise<Sample> {
  if (!PARTS) return measure();
  const upkeep = async () => {
    const { rows } = await infra.pool.query<{
      vacuums: string;
      analyses: string;
      scanned: Record<string, number>;
      written: Record<string, number>;
      commits: string;
      wal: string;
    }>(
      `SELECT sum(autovacuum_count) AS vacuums, sum(autoanalyze_count) AS analyses,
              jsonb_object_agg(schemaname || '.' || relname, seq_tup_read) AS scanned,
              jsonb_object_agg(schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del) AS written,
              (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
              (SELECT wal_bytes FROM pg_stat_wal) AS wal
         FROM pg_stat_all_tables`,
    );
    return rows[0]!;
  };
  const before = await upkeep();
  const started = process.uptime();
  const cpuBefore = cpuSnapshot();
  const sample = await measure();
  const cpu = cpuUsed(cpuBefore, cpuSnapshot());
  const after = await upkeep();
  const { rows: running } = await infra.pool.query<{ query: string }>(
    "SELECT query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'",
  );
  /** An amount over the part (ms of CPU, commits) an operation. */
  const perOp = (amount: number) => (amount / sample.count).toFixed(2);
  const delta = (key: 'vacuums' | 'analyses' | 'commits' | 'wal') => Number(after[key]) - Number(before[key]);
  /** The tables with the most rows (sequential scans read; inserted, updated, deleted) during the part. */
  const most = (key: 'scanned' | 'written', least: number) =>
    Object.entries(after[key])
      .map(([table, rows]) => [table, rows - (before[key][table] ?? 0)] as const)
      .filter(([, rows]) => rows > least)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([table, rows]) => `${table} ${(rows / sample.count).toFixed(2)}`);
  const scanned = most('scanned', 10_000);
  const who =
    `PostgreSQL ${perOp(cpu.postgres)}, this process ${perOp(cpu.process)}, ` +
    `others ${perOp(cpu.machine - cpu.postgres - cpu.process)}`;
  const upkept =
    `autovacuums ${delta('vacuums')}, analyses ${delta('analyses')}` +
    (running.length ? `; running: ${running.map((r) => r.query).join('; ')}` : '') +
    (scanned.length ? `; rows scanned an op: ${scanned.join(', ')}` : '');
  const writes =
    `commits ${perOp(delta('commits'))}, WAL ${(delta('wal') / sample.count).toFixed(0)} B, ` +
    `rows written: ${most('written', 0).join(', ')}`;
  console.log(
    `  part ${name.padEnd(7)} (${started.toFixed(0)}–${process.uptime().toFixed(0)} s) ` +
      `${rateOf(sample).toFixed(0).padStart(5)} ops/s  ` +
      `CPU ${perOp(sample.cpuMs ?? NaN)} ms/op (with the warm-up: ${who})  ${upkept}`,
  );
  console.log(`    an op (with the warm-up): ${writes}`);
  return sample;
}

async function head(infra: Infrastructure): Promise<bigint> {
  const { rows } = await infra.pool.query<{ p: string }>('SELECT coalesce(max(global_position), 0) AS p FROM events');
  return BigInt(rows[0]!.p);
}

/** The assignments to the unit after `from`, up to `to`: each owes one notice to its channel. */
async function assignmentsBetween(infra: Infrastructure, unitId: string, from: bigint, to: bigint): Promise<number> {
  const { rows } = await infra.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM events
      WHERE global_position > $1 AND global_position <= $2 AND type = 'RectificationTaskAssigned'
        AND data->>'leadUnitId' = $3`,
    [from.toString(), to.toString(), unitId],
  );
  return Number(rows[0]!.n);
}

/** Signs in as a demo account and returns its access token. */
export async function signIn(base: string, username: string): Promise<string> {
  const answer = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'rectify-demo' }),
  });
  if (!answer.ok) throw new Error(`sign-in of ${username}: HTTP ${answer.status}`);
  return ((await answer.json()) as { accessToken: string }).accessToken;
}

/** An admin sets the unit's channels; resolves once the notifier would read them (the stored directory has them). */
async function setUnitChannels(
  infra: Infrastructure,
  base: string,
  token: string,
  unitId: string,
  channels: unknown[],
): Promise<void> {
  const answer = await fetch(`${base}/api/units/${unitId}/channels`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ channels }),
  });
  if (!answer.ok) throw new Error(`PUT /api/units/${unitId}/channels: HTTP ${answer.status} ${await answer.text()}`);
  for (const until = Date.now() + 30_000; Date.now() < until; await pause(100)) {
    const unit = await infra.directory.getUnit(unitId, { stored: true });
    if ((unit?.channels ?? []).length === channels.length) return;
  }
  throw new Error(`the unit's channels were not stored within 30 s`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a notice costs, alone: ALONE_TASKS assignments to the unit appended into the idle all-in-one (four writers, a
 * pause of 5 ms after each append: a few hundred a second, no core saturated), three times with its channels removed
 * and three times with the webhook, in turns; the CPU each time of the whole machine, of PostgreSQL's processes, of
 * the all-in-one and of the receiver, from /proc, from the first append until the read models, the notifier and the
 * notices are done. The difference per notice is what the notices cost, without the write load's contention for the
 * cores (the drop of the HTTP / raw ratio above is that cost and the contention it adds).
 */
async function costAlone(
  infra: Infrastructure,
  name: string,
  unitId: string,
  receiver: { url: string; pid: number },
  setChannels: (channels: unknown[]) => Promise<void>,
  arrived: () => number,
  notifierAtHead: () => Promise<void>,
): Promise<void> {
  const regionId = (await infra.directory.listRegions()).find((r) => r.name === '蔡郢村')!.id;
  const sides: Record<'off' | 'on', CpuUse[]> = { off: [], on: [] };
  for (const side of ['off', 'on', 'on', 'off', 'off', 'on'] as const) {
    await projectionsCaughtUp(infra);
    await notifierAtHead();
    await setChannels(side === 'on' ? [{ kind: 'webhook', url: receiver.url, format: FORMAT }] : []);
    await projectionsCaughtUp(infra);
    await notifierAtHead();
    const before = cpuSnapshot();
    const arrivedBefore = arrived();
    await appendAssignments(infra, {
      count: ALONE_TASKS,
      writers: 4,
      regionId,
      leadUnitId: unitId,
      deadline: '2031-09-30',
      reminderPolicy: DEFAULT_REMINDER_POLICY,
      pauseMs: 5,
    });
    await projectionsCaughtUp(infra);
    await notifierAtHead();
    const owed = side === 'on' ? ALONE_TASKS : 0;
    for (const until = Date.now() + DRAIN_MS; Date.now() < until && arrived() - arrivedBefore < owed;) await pause(50);
    await pause(1000); // the last marks and job completions
    sides[side].push(cpuUsed(before, cpuSnapshot(), receiver.pid));
  }
  await setChannels([]);
  const mean = (uses: CpuUse[], part: keyof CpuUse) => uses.reduce((sum, use) => sum + use[part], 0) / uses.length;
  const perNotice = (part: keyof CpuUse) => (mean(sides.on, part) - mean(sides.off, part)) / ALONE_TASKS;
  const machine = sides.on.map((on, i) => (on.machine - sides.off[i]!.machine) / ALONE_TASKS);
  console.log(
    `${name}: a notice alone (${ALONE_TASKS} assignments into the idle all-in-one, 3 times without channels and 3 ` +
      `with the webhook): ${perNotice('machine').toFixed(2)} ms of the machine's CPU (pairs ` +
      `${machine.map((ms) => ms.toFixed(2)).join(', ')}): PostgreSQL ${perNotice('postgres').toFixed(2)}, ` +
      `the all-in-one ${perNotice('process').toFixed(2)}, the receiver ${perNotice('receiver').toFixed(2)} ms`,
  );
}

interface CpuUse {
  readonly machine: number;
  readonly postgres: number;
  readonly process: number;
  readonly receiver: number;
}

/** The CPU used so far: the machine's, and each process's with its command name, in ms. */
interface CpuSnapshot {
  readonly machine: number;
  readonly processes: ReadonlyMap<string, { command: string; ms: number }>;
}

function cpuSnapshot(): CpuSnapshot {
  const processes = new Map<string, { command: string; ms: number }>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const use = processCpuMs(pid);
    if (use) processes.set(pid, use);
  }
  return { machine: machineBusyMs() ?? 0, processes };
}

/**
 * The CPU used between two snapshots, in ms: the machine's, PostgreSQL's processes', this one's, the receiver's (0
 * when not named). A process is counted from its first snapshot (or its start): one that ended in between is left
 * out, one that began counts whole.
 */
function cpuUsed(before: CpuSnapshot, after: CpuSnapshot, receiverPid?: number): CpuUse {
  const used = (pid: string) => after.processes.get(pid)!.ms - (before.processes.get(pid)?.ms ?? 0);
  let postgres = 0;
  for (const [pid, { command }] of after.processes) if (command.startsWith('postgres')) postgres += used(pid);
  const own = (pid: number) => (after.processes.has(String(pid)) ? used(String(pid)) : 0);
  return {
    machine: after.machine - before.machine,
    postgres,
    process: own(process.pid),
    receiver: receiverPid === undefined ? 0 : own(receiverPid),
  };
}
