import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { rectificationTaskDecider, RectificationTaskEvent, RectificationTaskState } from '@zhenggai/domain';
import { loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { BUILT, BuiltProcess, startBuiltProcess } from '../support/built-process';
import { eventually } from '../support/http-client';
import { closedAfterThisFile } from '../support/opened-for-this-file';
import { scoreboardFromEvents } from '../support/scoreboard-from-events';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { FlakyWebhook } from './flaky-webhook';
import { KeyedClient, Outcome, signIn } from './keyed-client';

/**
 * The production split under faults, as issue 16 tried it from outside: two API processes and a worker (built, as
 * the image runs them) on the machine's PostgreSQL and Redis (a database and a key prefix of their own, reached
 * through TCP proxies this test can cut), a webhook receiver that fails one delivery in ten, and eight clients
 * sending commands with `Idempotency-Key`, retrying what gets no answer. Faults are injected one after another at
 * known steps; at quiescence the store, the read models, the audit chain and the reminders are checked against
 * what the clients were told, and the recovery time of each fault is printed.
 */
const CLIENTS = 8;
const FAULT_WINDOW_MS = 3_000;
const JWT_SECRET = 'faults-secret-that-is-long-enough-0123456789';
const REBUILD = join(__dirname, '../../dist/scripts/rebuild-projections.js');

interface StoredRow {
  readonly position: number;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly data: any;
  readonly metadata: any;
}

/** What a 2xx answer told a client: this event is stored at this revision of this stream. */
interface Ack {
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
}

const EVENT_OF_COMMAND: Record<string, string> = {
  accept: 'RectificationTaskAccepted',
  plan: 'RectificationTaskPlanRecorded',
  progress: 'RectificationTaskProgressReported',
  submit: 'RectificationTaskSubmitted',
  verify: 'RectificationTaskVerified',
};

/** A Beijing calendar date `days` after today's. */
const beijingDate = (days: number) =>
  new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

describe('faults on the production split: every acknowledged write kept once, every retry answered', () => {
  const held: {
    database?: TestDatabase;
    pgProxy?: TcpProxy;
    redisProxy?: TcpProxy;
    webhook?: FlakyWebhook;
    api1?: BuiltProcess;
    api2?: BuiltProcess;
    worker?: BuiltProcess;
    settings?: Record<string, string>;
    directUrl?: string;
    /** When every unit had the webhook: levels recorded before (the demo's, at the worker's start) reach no channel. */
    channelsSetAt?: number;
    prefix?: string;
  } = {};
  const apis = () =>
    [held.api1, held.api2].filter((p): p is BuiltProcess => !!p && p.exitCode === null).map((p) => p.http!.baseUrl);

  beforeAll(async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('the fault suite needs Redis (TEST_REDIS_URL, or one on 127.0.0.1:6379)');
    held.database = await createTestDatabase();
    held.directUrl = held.database.url;
    const infra = await startInfrastructure(
      loadConfig({ DATABASE_URL: held.database.url, JWT_SECRET, REMINDERS: 'off' }),
    );
    try {
      await seedDemo(infra);
    } finally {
      await infra.close();
    }
    const pg = new URL(held.database.url);
    const redis = new URL(redisUrl);
    held.pgProxy = await closedAfterThisFile(
      TcpProxy.start({ host: pg.hostname, port: Number(pg.port || 5432) }),
      (proxy) => proxy.close(),
    );
    held.redisProxy = await closedAfterThisFile(
      TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) }),
      (proxy) => proxy.close(),
    );
    held.webhook = await closedAfterThisFile(FlakyWebhook.start(10), (webhook) => webhook.close());
    const proxied = new URL(held.database.url);
    proxied.host = `127.0.0.1:${held.pgProxy.port}`;
    held.prefix = `zg-faults-${randomBytes(4).toString('hex')}`;
    held.settings = {
      DATABASE_URL: proxied.toString(),
      JWT_SECRET,
      REDIS_URL: `redis://127.0.0.1:${held.redisProxy.port}`,
      REDIS_PREFIX: held.prefix,
      REMINDER_RECONCILE_SECONDS: '5',
      DELIVERY_BACKOFF_MS: '200',
    };
    [held.api1, held.api2, held.worker] = await Promise.all([
      startBuiltProcess(BUILT.api, held.settings),
      startBuiltProcess(BUILT.api, held.settings),
      startBuiltProcess(BUILT.worker, held.settings, { readyLine: /zhenggai-worker: running/ }),
    ]);
    // Every unit is reached by the flaky webhook.
    const admin = await signIn(apis, 'admin');
    const units = (await (
      await fetch(`${apis()[0]}/api/units`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as Array<{ id: string }>;
    for (const unit of units) {
      const put = await fetch(`${apis()[0]}/api/units/${unit.id}/channels`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          channels: [{ kind: 'webhook', url: held.webhook.url, format: 'json', audience: 'unit' }],
        }),
      });
      expect(put.status).toBe(200);
    }
    held.channelsSetAt = Date.now();
  }, 300_000);

  afterAll(async () => {
    const exits = await Promise.all([held.api1?.stop(), held.api2?.stop(), held.worker?.stop()]);
    if (held.prefix && process.env.TEST_REDIS_URL) {
      const redis = new IORedis(process.env.TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      await deleteKeys(redis, held.prefix).finally(() => redis.disconnect());
    }
    // Each process stops cleanly on SIGTERM after all it went through.
    expect(exits).toEqual([0, 0, 0]);
  }, 120_000);

  it('rides out a worker and an API killed, PostgreSQL and Redis restarted (once losing its data)', async () => {
    const acks: Ack[] = [];
    const outcomes: Outcome[] = [];
    const refusals: Outcome[] = [];
    let stopping = false;
    /** Once the test has failed and is stopping, a client gives up rather than retry on. */
    let abandoned = false;

    /** Each demo unit account: its token, its unit and the unit's region (where its findings are filed). */
    const unitAccounts = new Map<string, { token: string; unitId: string; regionId: string }>();
    const inspectorToken = await signIn(apis, 'inspector');
    const unitUsers = ['unit', 'caiying', 'wangjiaba', 'caoji', 'housing', 'jiangzhai'];
    for (const username of unitUsers) {
      const token = await signIn(apis, username);
      const read = async (path: string) =>
        (await fetch(`${apis()[0]}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();
      const { unitId } = (await read('/api/auth/me')) as { unitId: string };
      const { regionId } = (await read(`/api/units/${unitId}`)) as { regionId: string };
      unitAccounts.set(username, { token, unitId, regionId });
    }
    const regionOf = (username: string) => unitAccounts.get(username)!.regionId;
    const inspector = new KeyedClient(apis, inspectorToken, { stopped: () => abandoned });

    /** One command; a 2xx is an acknowledged write of its event. */
    const send = async (
      client: KeyedClient,
      path: string,
      body: unknown,
      ack: (answer: any) => Ack,
    ): Promise<any | null> => {
      const outcome = await client.command(path, body);
      outcomes.push(outcome);
      if (outcome.status !== null && outcome.status < 300) {
        acks.push(ack(outcome.body));
        return outcome.body;
      }
      if (outcome.status !== null) refusals.push(outcome);
      return null;
    };

    /**
     * A client's day: file a finding, assign it to its unit, and the unit works it (every other client stops half-way,
     * so that reminders fall due).
     */
    const work = async (index: number) => {
      const username = unitUsers[index % unitUsers.length];
      const account = unitAccounts.get(username)!;
      const unit = new KeyedClient(apis, account.token, { stopped: () => abandoned });
      const unitId = account.unitId;
      for (let round = 0; !stopping; round++) {
        const finding = await send(
          inspector,
          '/api/findings',
          { title: `故障演练 ${index}-${round}`, regionId: regionOf(username), category: 'roads', severity: 'low' },
          (a) => ({
            streamName: `finding-${a.id}`,
            revision: a.revision,
            type: 'FindingFiled',
          }),
        );
        if (!finding) continue;
        const task = await send(
          inspector,
          `/api/findings/${finding.id}/tasks`,
          { unitId, deadline: beijingDate(1), measures: '修路', target: { quantity: 10, unit: '个' } },
          (a) => ({
            streamName: `rectificationTask-${a.id}`,
            revision: a.revision,
            type: 'RectificationTaskAssigned',
          }),
        );
        if (!task) continue;
        const steps: Array<[KeyedClient, string, unknown]> = [
          [unit, 'accept', {}],
          [unit, 'plan', { plan: '分段施工' }],
          [unit, 'progress', { quantityDone: 5, note: '过半' }],
          ...(index % 2 === 0
            ? ([
                [unit, 'progress', { quantityDone: 10, note: '完成' }],
                [unit, 'submit', { report: '已完成', evidence: [{ ref: 'photo.jpg' }], quantityDone: 10 }],
                [inspector, 'verify', { note: '同意销号' }],
              ] as Array<[KeyedClient, string, unknown]>)
            : []),
        ];
        for (const [client, command, body] of steps) {
          if (stopping) break;
          const answer = await send(client, `/api/tasks/${task.id}/${command}`, body, (a) => ({
            streamName: `rectificationTask-${task.id}`,
            revision: a.revision,
            type: EVENT_OF_COMMAND[command],
          }));
          if (!answer) break;
        }
      }
    };
    const load = Array.from({ length: CLIENTS }, (_, i) => work(i));

    const admin = await signIn(apis, 'admin');
    const health = async () => {
      for (const api of apis()) {
        const answer = await fetch(`${api}/health`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
        if (answer?.ok)
          return (await answer.json()) as {
            projections: Array<{ name: string; position: string; head: string; running: boolean }>;
          };
      }
      return null;
    };
    /** The store's head now, and then when the projections (held by a worker) have all reached it. */
    const caughtUpWithNow = async () => {
      const head = await eventually(async () => (await health())?.projections[0]?.head, 120_000, 200);
      await eventually(
        async () => {
          const now = await health();
          return now?.projections.every((p) => p.running && BigInt(p.position) >= BigInt(head)) ? true : undefined;
        },
        120_000,
        200,
      );
    };
    const probe = new KeyedClient(apis, inspectorToken);
    /** A command answered after the fault, and the read models caught up with the store as it stood then. */
    const recovered = async () => {
      const answer = await probe.command('/api/findings', {
        title: '探测',
        regionId: regionOf('unit'),
        category: 'roads',
        severity: 'low',
      });
      expect(answer.status).toBe(201);
      await caughtUpWithNow();
    };
    const reminderSince = async (since: string) =>
      eventually(
        async () => {
          const answer = await fetch(
            `${apis()[0]}/api/audit?type=RectificationTaskReminded&from=${encodeURIComponent(since)}&pageSize=1`,
            {
              headers: { authorization: `Bearer ${admin}` },
            },
          ).catch(() => null);
          return answer?.ok && ((await answer.json()) as { total: number }).total > 0 ? true : undefined;
        },
        120_000,
        250,
      );

    const recoveries: Array<{ fault: string; seconds: number | null; error?: string }> = [];
    /** Injects a fault and waits for the recovery; a fault not recovered from is recorded, and the next one follows. */
    const fault = async (name: string, inject: () => Promise<void>, recovery: () => Promise<unknown> = recovered) => {
      const started = Date.now();
      try {
        await inject();
        await recovery();
        recoveries.push({ fault: name, seconds: (Date.now() - started) / 1000 });
      } catch (error) {
        recoveries.push({
          fault: name,
          seconds: null,
          error: error instanceof Error ? error.message.split('\n')[0] : String(error),
        });
      }
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    try {
      await caughtUpWithNow();
      await pause(5_000);

      await fault('worker killed (SIGKILL), then started again', async () => {
        await held.worker!.kill('SIGKILL');
        held.worker = await startBuiltProcess(BUILT.worker, held.settings!, { readyLine: /zhenggai-worker: running/ });
      });
      await pause(FAULT_WINDOW_MS);

      let inFlight: Outcome | null = null;
      await fault('an API killed (SIGKILL) in the middle of a command, its key retried on the other', async () => {
        const lock = new Client({ connectionString: held.directUrl, application_name: 'faults-lock' });
        await lock.connect();
        try {
          await lock.query('BEGIN');
          await lock.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
          const key = randomUUID();
          const victim = held.api1!;
          const body = { title: '中途被终止的命令', regionId: regionOf('unit'), category: 'roads', severity: 'low' };
          const first = fetch(`${victim.http!.baseUrl}/api/findings`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${inspectorToken}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify(body),
          }).catch(() => null);
          // The command is waiting on the lock, inside PostgreSQL, when its process dies.
          await eventually(
            async () => {
              const { rows } = await lock.query(
                'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ' +
                  `current_database() AND wait_event_type = 'Lock'`,
              );
              return rows[0].n > 0 ? true : undefined;
            },
            30_000,
            50,
          );
          await victim.kill('SIGKILL');
          await first;
          await lock.query('COMMIT');
          held.api1 = await startBuiltProcess(BUILT.api, held.settings!);
          inFlight = await new KeyedClient(() => [held.api2!.http!.baseUrl], inspectorToken, {
            giveUpMs: 60_000,
          }).command('/api/findings', body, key);
          outcomes.push(inFlight);
          if (inFlight.status !== 201)
            throw new Error(`the retried key got no answer: ${inFlight.retriedFor.slice(-3).join(', ')}`);
          acks.push({ streamName: `finding-${inFlight.body.id}`, revision: 0, type: 'FindingFiled' });
        } finally {
          await lock.end().catch(() => undefined);
        }
      });
      await pause(FAULT_WINDOW_MS);

      await fault("PostgreSQL ended every connection (57P01, as in a restart's 'fast' shutdown)", async () => {
        const admin = new Client({ connectionString: held.directUrl, application_name: 'faults-terminate' });
        await admin.connect();
        try {
          await admin.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname ' +
              '= current_database() AND pid <> pg_backend_pid()',
          );
        } finally {
          await admin.end();
        }
      });
      await pause(FAULT_WINDOW_MS);

      await fault(`PostgreSQL out of reach for ${FAULT_WINDOW_MS / 1000} s (restarted)`, async () => {
        await held.pgProxy!.cut();
        await pause(FAULT_WINDOW_MS);
        await held.pgProxy!.restore();
      });
      await pause(FAULT_WINDOW_MS);

      let restoredAt = '';
      await fault(
        `Redis out of reach for ${FAULT_WINDOW_MS / 1000} s (restarted, its data kept)`,
        async () => {
          await held.redisProxy!.cut();
          await pause(FAULT_WINDOW_MS);
          await held.redisProxy!.restore();
          restoredAt = new Date().toISOString();
        },
        async () => {
          await recovered();
          await reminderSince(restoredAt);
        },
      );
      await pause(FAULT_WINDOW_MS);

      await fault(
        'Redis restarted with its data deleted',
        async () => {
          await held.redisProxy!.cut();
          const redis = new IORedis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 1 });
          try {
            await deleteKeys(redis, held.prefix!);
          } finally {
            redis.disconnect();
          }
          await held.redisProxy!.restore();
          restoredAt = new Date().toISOString();
        },
        async () => {
          await recovered();
          await reminderSince(restoredAt);
        },
      );
      await pause(FAULT_WINDOW_MS);

      await fault(
        'every read model rebuilt blue/green under the load (npm run projections:rebuild -- --all)',
        async () => {
          const rebuild = spawn(process.execPath, [REBUILD, '--all'], {
            env: { ...process.env, DATABASE_URL: held.directUrl, JWT_SECRET },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let output = '';
          rebuild.stdout.on('data', (chunk) => (output += chunk));
          rebuild.stderr.on('data', (chunk) => (output += chunk));
          const code = await new Promise<number | null>((resolve) => rebuild.once('exit', resolve));
          if (code !== 0) throw new Error(`the rebuild ended with ${code}: ${output.slice(-500)}`);
        },
      );
    } finally {
      stopping = true;
      abandoned = recoveries.some((r) => r.seconds === null);
      await Promise.all(load);
    }
    console.log(
      [
        'recovery from each fault:',
        ...recoveries.map(
          (r) => `  ${r.fault}: ${r.seconds === null ? `NOT RECOVERED (${r.error})` : `${r.seconds.toFixed(1)} s`}`,
        ),
      ].join('\n'),
    );

    // Quiescence: the projections have every event, and the store stops growing (reminders and reactions done).
    const settlingFrom = Date.now();
    const direct = new Client({ connectionString: held.directUrl, application_name: 'faults-check' });
    await direct.connect();
    try {
      const count = async () => Number((await direct.query('SELECT count(*) AS n FROM events')).rows[0].n);
      let last = -1;
      await eventually(
        async () => {
          await caughtUpWithNow();
          const now = await count();
          const still = now === last;
          last = now;
          return still ? true : undefined;
        },
        180_000,
        3_000,
      );
      const events: StoredRow[] = (
        await direct.query(
          'SELECT global_position AS position, stream_name AS "streamName", ' +
            'stream_revision::int AS revision, type, data, metadata FROM events ' +
            'ORDER BY global_position',
        )
      ).rows;

      console.log(
        `load: ${CLIENTS} clients, ${outcomes.length} commands, ${acks.length} ` +
          `acknowledged, ${events.length} events stored`,
      );

      // Every client retry ended with an answer, and none was a refusal.
      expect(
        outcomes
          .filter((o) => o.status === null)
          .map((o) => `${o.path} after ${o.attempts} attempts: ${o.retriedFor.join(', ')}`),
      ).toEqual([]);
      expect(refusals.map((o) => `${o.path}: ${o.status} ${o.body?.code} ${o.body?.detail}`)).toEqual([]);

      // Every acknowledged write is in the store, as what it was acknowledged as.
      const at = new Map(events.map((e) => [`${e.streamName}@${e.revision}`, e]));
      expect(acks.filter((a) => at.get(`${a.streamName}@${a.revision}`)?.type !== a.type)).toEqual([]);

      // No command applied twice: one finding per title, one task per finding (linked once), each step once per task.
      const perKey = (type: string, keyOf: (e: StoredRow) => string) => {
        const counts = new Map<string, number>();
        for (const e of events) if (e.type === type) counts.set(keyOf(e), (counts.get(keyOf(e)) ?? 0) + 1);
        return [...counts].filter(([, n]) => n > 1);
      };
      const loadFindings = new Set(
        events
          .filter((e) => e.type === 'FindingFiled' && e.data.title.startsWith('故障演练'))
          .map((e) => e.data.findingId),
      );
      const ofLoad = (e: StoredRow) => (loadFindings.has(e.data.findingId) ? e.data.findingId : 'demo');
      expect(perKey('FindingFiled', (e) => e.data.title).filter(([title]) => title !== '探测')).toEqual([]);
      expect(perKey('RectificationTaskAssigned', ofLoad).filter(([finding]) => finding !== 'demo')).toEqual([]);
      expect(perKey('FindingTaskLinked', ofLoad).filter(([finding]) => finding !== 'demo')).toEqual([]);
      const loadTasks = new Set(
        events
          .filter((e) => e.type === 'RectificationTaskAssigned' && loadFindings.has(e.data.findingId))
          .map((e) => e.data.taskId),
      );
      const ofLoadTask = (e: StoredRow, key: string = e.data.taskId) => (loadTasks.has(e.data.taskId) ? key : 'demo');
      for (const type of [
        'RectificationTaskAccepted',
        'RectificationTaskPlanRecorded',
        'RectificationTaskSubmitted',
        'RectificationTaskVerified',
      ]) {
        expect([type, perKey(type, (e) => ofLoadTask(e)).filter(([task]) => task !== 'demo')]).toEqual([type, []]);
      }
      expect(
        perKey('RectificationTaskProgressReported', (e) =>
          ofLoadTask(e, `${e.data.taskId}:${e.data.quantityDone}`),
        ).filter(([task]) => task !== 'demo'),
      ).toEqual([]);

      // The hash chain holds.
      const verify = await fetch(`${apis()[0]}/api/audit/verify`, { headers: { authorization: `Bearer ${admin}` } });
      expect(await verify.json()).toMatchObject({ ok: true });

      // The read models equal a recomputation from the events: every task, and the unit scoreboard.
      const folded = new Map<string, { state: RectificationTaskState; revision: number }>();
      for (const e of events) {
        if (!e.streamName.startsWith('rectificationTask-')) continue;
        const before = folded.get(e.streamName)?.state ?? rectificationTaskDecider.initialState();
        folded.set(e.streamName, {
          state: rectificationTaskDecider.evolve(before, { type: e.type, data: e.data } as RectificationTaskEvent),
          revision: e.revision,
        });
      }
      const listed: Array<{
        id: string;
        status: string;
        revision: number;
        leadUnitId: string;
        quantityDone: number | null;
      }> = [];
      for (let page = 1; ; page++) {
        const answer = (await (
          await fetch(`${apis()[0]}/api/tasks?pageSize=200&page=${page}`, {
            headers: { authorization: `Bearer ${admin}` },
          })
        ).json()) as { items: typeof listed; total: number };
        listed.push(...answer.items);
        if (listed.length >= answer.total) break;
      }
      expect(listed.length).toBe(folded.size);
      const mismatched = listed.filter((t) => {
        const f = folded.get(`rectificationTask-${t.id}`);
        const s = f?.state as Exclude<RectificationTaskState, { status: 'none' }> | undefined;
        return !s || s.status !== t.status || f!.revision !== t.revision || s.leadUnitId !== t.leadUnitId;
      });
      expect(mismatched).toEqual([]);
      const board = (await (
        await fetch(`${apis()[0]}/api/units/scoreboard`, { headers: { authorization: `Bearer ${admin}` } })
      ).json()) as {
        asOf: string;
        units: Array<{ unitId: string; open: number; overdue: number; closed: number; sendBacks: number }>;
      };
      const expected = scoreboardFromEvents(
        events.map((e) => ({ ...e, position: BigInt(e.position) }) as never),
        new Date(board.asOf),
      );
      for (const row of board.units) {
        expect({ unit: row.unitId, open: row.open, closed: row.closed, sendBacks: row.sendBacks }).toEqual({
          unit: row.unitId,
          open: expected.get(row.unitId)?.open ?? 0,
          closed: expected.get(row.unitId)?.closed ?? 0,
          sendBacks: expected.get(row.unitId)?.sendBacks ?? 0,
        });
      }

      // Each reminder level recorded once, and delivered at least once, under one delivery id per channel.
      const levels = events.filter(
        (e) => e.type === 'RectificationTaskReminded' || e.type === 'RectificationTaskEscalated',
      );
      expect(levels.length).toBeGreaterThan(0);
      expect(perKey('RectificationTaskReminded', (e) => `${e.data.taskId}:${e.data.reminderId}`)).toEqual([]);
      expect(perKey('RectificationTaskEscalated', (e) => `${e.data.taskId}:${e.data.reminderId}`)).toEqual([]);
      const webhook = held.webhook!;
      const undelivered = () => {
        const delivered = new Set(webhook.received.filter((r) => r.accepted).map((r) => `${r.taskId}:${r.level}`));
        return levels.filter(
          (e) =>
            Date.parse(e.metadata.occurredAt) > held.channelsSetAt! &&
            e.data.recipients.some((r: { kind: string }) => r.kind === 'unit') &&
            !delivered.has(`${e.data.taskId}:${e.data.level}`),
        );
      };
      const ledger = async (taskId: string) =>
        (await (
          await fetch(`${apis()[0]}/api/admin/deliveries?taskId=${taskId}`, {
            headers: { authorization: `Bearer ${admin}` },
          })
        ).json()) as { items: unknown[] };
      const deliveriesFrom = Date.now();
      let reported = false;
      await eventually(
        async () => {
          const left = undelivered();
          // Slow to settle: which levels wait, where their deliveries stand, and what the worker said meanwhile.
          if (left.length > 0 && !reported && Date.now() - deliveriesFrom > 15_000) {
            reported = true;
            const where = [];
            for (const e of left.slice(0, 3))
              where.push({
                level: e.data.level,
                recordedAt: e.metadata.occurredAt,
                ledger: await ledger(e.data.taskId),
              });
            const said = held
              .worker!.output()
              .split('\n')
              .filter((line) => /WARN|ERROR|Deliver|Reconcil|queue/.test(line));
            const ledgers = JSON.stringify(where, null, 1).slice(0, 4000);
            console.log(
              `${left.length} levels undelivered 15 s after the load: ${ledgers}\n` +
                `the worker's last warnings:\n${said.slice(-40).join('\n')}`,
            );
          }
          return left.length === 0 ? true : undefined;
        },
        120_000,
        500,
      ).catch(() => undefined);
      console.log(
        `settled: the store ${((deliveriesFrom - settlingFrom) / 1000).toFixed(1)} s after the load, ` +
          `the deliveries ${((Date.now() - deliveriesFrom) / 1000).toFixed(1)} s after that`,
      );
      const missing = [];
      for (const e of undelivered())
        missing.push({
          task: e.data.taskId,
          level: e.data.level,
          recordedAt: e.metadata.occurredAt,
          ledger: (await ledger(e.data.taskId)).items,
        });
      expect(missing).toEqual([]);
      // One message per task and level (or notice kind), and per recipient and day for the daily digest.
      const idsPerLevel = new Map<string, Set<string>>();
      for (const r of webhook.received) {
        const key = r.level === 'digest' ? `digest:${r.deadline}:${r.recipientName}` : `${r.taskId}:${r.level}`;
        idsPerLevel.set(key, (idsPerLevel.get(key) ?? new Set()).add(r.deliveryId));
      }
      expect(
        [...idsPerLevel].filter(([, ids]) => ids.size !== 1).map(([level, ids]) => `${level}: ${[...ids].join(', ')}`),
      ).toEqual([]);
    } finally {
      await direct.end();
    }

    // No process died of it, and every fault was recovered from.
    expect([held.api1, held.api2, held.worker].map((p) => p!.exitCode)).toEqual([null, null, null]);
    expect(recoveries.filter((r) => r.seconds === null)).toEqual([]);
    // Longer than its waits added up (the faults, quiescence, the deliveries), so a slow run fails on what it found.
  }, 480_000);
});

/** Deletes every key of one BullMQ prefix (this run's queues), as a Redis that lost its data would. */
async function deleteKeys(redis: IORedis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
