import { HAND_OVER_EVENT_TYPES } from '@zhenggai/application';
import { Infrastructure, JobQueues, QueueBackend } from '@zhenggai/platform';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import { createApiApp } from '../apps/api/src/create-api-app';
import { HAND_OVER_NOTIFIER } from '../apps/worker/src/reminders/hand-over-notifier.reactor';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { DEFAULT_REMINDER_POLICY } from '@zhenggai/domain';
import { readdirSync, readFileSync } from 'node:fs';
import { machineBusyMs, percentile, Sample } from './closed-loop';
import { appendAssignments } from './task-sized-event';
import { benchBackends, dropQueue, webhookReceiver } from './reminder-benchmark';
import {
  DURATION_MS,
  FIRST_WARMUP_MS,
  httpRate,
  merged,
  projectionsCaughtUp,
  ratioOf,
  rawStoreRate,
  report,
  ROUNDS,
  WARMUP_MS,
} from './write-path';

/** Assignments appended into the idle all-in-one per side of the cost measured alone. */
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
 * Hand-over notices under the write load (issue 19), on each queue backend: the all-in-one (API and worker, reminders
 * on, so the HandOverNotifier runs) takes the write benchmark's command stream in paired rounds, each a side with the
 * assignees' unit (王堰镇, which the load assigns every task to) without channels and a side with a json webhook
 * channel on it pointing at a receiver in a process of its own (a robot is another machine). Each assignment is a
 * notice; its latency runs from the event's time (the payload's `recordedAt`, the instant the command was taken) to
 * its arrival, so it covers the notifier's lag, the ledger, the queue and the POST. Targets: p99 under 2 s on Redis,
 * 5 s on PostgreSQL; the HTTP / raw ratio with notices at most 0.03 below the ratio without.
 */
export async function benchmarkNotices(infra: Infrastructure): Promise<void> {
  const backends = await benchBackends(infra, 'notices');
  console.log(
    `\nnotices (issue 19) — the write load on the all-in-one, ${DURATION_MS / 1000} s per side in ${ROUNDS} rounds, ` +
      `each round a side without channels and a side with a ${FORMAT} webhook on the assignees' unit, in turns\n`,
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
    // Paired rounds on the same unit (王堰镇), whose tasks the load makes: in each, one side with its channels removed
    // and one with a json webhook, in turns (without first in even rounds), each after a raw side of its own. A side
    // starts once the projections have caught up and the notices owed so far have arrived, and the webhook is set or
    // removed only once the notifier has read everything before, so that no side pays for what another left behind.
    // Both sides meet the same store, the same minutes of the machine and the same notifier, which reads every
    // assignment either way: what differs is the notices sent. (Two units would differ by more than the target: in
    // one run without any channel, a side of 蔡郢村's tasks ran 10 % more commands a second than 王堰镇's.)
    const quiet = { raw: [] as Sample[], http: [] as Sample[] };
    const noticing = { raw: [] as Sample[], http: [] as Sample[] };
    const settled = async () => {
      await projectionsCaughtUp(infra);
      await drained();
    };
    for (let round = 0; round < ROUNDS; round++) {
      const sides = round % 2 === 0 ? [quiet, noticing] : [noticing, quiet];
      for (const side of sides) {
        const warmupMs = round === 0 && side === sides[0] ? FIRST_WARMUP_MS : WARMUP_MS;
        await settled();
        await notifierAtHead();
        await setChannels(side === noticing ? [{ kind: 'webhook', url: receiver.url, format: FORMAT }] : []);
        side.raw.push(await rawStoreRate(infra, DURATION_MS / ROUNDS, warmupMs));
        await settled();
        const from = await head(infra);
        side.http.push(await httpRate(base, DURATION_MS / ROUNDS, warmupMs));
        if (side === noticing) noticed.push([from, await head(infra)]);
      }
    }
    const loadEnded = Date.now();
    await drained();
    const drainSeconds = (Date.now() - loadEnded) / 1000;
    const expected = await owed();
    await setChannels([]);

    console.log(`${name}: without channels`);
    const before = printSides(quiet);
    console.log(`${name}: with a ${FORMAT} webhook on the unit (notices on)`);
    const after = printSides(noticing);
    const drop = Math.round((before.overall - after.overall) * 100) / 100 || 0; // no "-0.00"
    console.log(
      `HTTP rate / raw rate: ${before.overall.toFixed(2)} without channels (round by round ` +
        `${before.rounds.map((r) => r.toFixed(2)).join(', ')}), ${after.overall.toFixed(2)} with notices ` +
        `(${after.rounds.map((r) => r.toFixed(2)).join(', ')}): drop ${drop.toFixed(2)} ` +
        `(target ≤ ${RATIO_DROP_TARGET.toFixed(2)}${drop > RATIO_DROP_TARGET ? ', MISSED' : ''})`,
    );
    await printLatencies(infra, name, arrivals, expected, repeated, targetMs, drainSeconds);
    await costAlone(infra, name, unitId, receiver, setChannels, () => arrivals.size, notifierAtHead);
    console.log('');
  } finally {
    await app.close();
    await queues.close();
    await receiver.close();
    await dropQueue(backend);
  }
}

function printSides(sides: { raw: Sample[]; http: Sample[] }): { overall: number; rounds: number[] } {
  report('  raw store: read stream + append', merged(sides.raw));
  report('  HTTP commands: assign + accept + progress', merged(sides.http));
  return ratioOf(sides.raw, sides.http);
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
 * The CPU used between two snapshots, in ms: the machine's, PostgreSQL's processes', this one's, the receiver's. A
 * process is counted from its first snapshot (or its start): one that ended in between is left out, one that began
 * counts whole.
 */
function cpuUsed(before: CpuSnapshot, after: CpuSnapshot, receiverPid: number): CpuUse {
  const used = (pid: string) => after.processes.get(pid)!.ms - (before.processes.get(pid)?.ms ?? 0);
  let postgres = 0;
  for (const [pid, { command }] of after.processes) if (command.startsWith('postgres')) postgres += used(pid);
  const own = (pid: number) => (after.processes.has(String(pid)) ? used(String(pid)) : 0);
  return {
    machine: after.machine - before.machine,
    postgres,
    process: own(process.pid),
    receiver: own(receiverPid),
  };
}

/** A process's command name and CPU time so far (user and system, in ms), from /proc; null once it is gone. */
function processCpuMs(pid: string): { command: string; ms: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, the 14th and 15th fields, in ticks of 1/100 s.
    return {
      command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      ms: (+fields[11]! + +fields[12]!) * 10,
    };
  } catch {
    return null;
  }
}
