import { executeTaskCommand, ManualClock, setDigestTime } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import {
  directoryDeps,
  directoryFixtures,
  Infrastructure,
  JobQueues,
  loadConfig,
  MAINTENANCE_QUEUE,
  NOTIFICATIONS_QUEUE,
  QueueBackend,
  startInfrastructure,
  useCaseDeps,
} from '@zhenggai/platform';
import { ProjectionRunner } from '@zhenggai/postgres';
import { TaskQueries } from '@zhenggai/read-models';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { assignedTask, obliterateQueues, queueBackends, waitFor } from '../../../../test/support/queue-backends';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { WorkerCommands } from '../commands/worker-command';
import { reminderEngineOf } from '../worker.module';
import { DailyDigest } from './daily-digest';
import { ReminderEngine, ReminderEngineDeps } from './reminder-engine';
import { tasksReadModelCaughtUp } from './tasks-caught-up';
import { workerCommandsWithTasks } from './testing/worker-setup';

const ASSIGNED_AT = '2030-06-01T10:00:00+08:00';

async function startReceiver(): Promise<{
  url: string;
  received: Array<{ path: string; body: any }>;
  close(): Promise<void>;
}> {
  const received: Array<{ path: string; body: any }> = [];
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    received,
    close: () => (closing ??= new Promise<void>((resolve) => http.close(() => resolve()))),
  };
}

describe.each(queueBackends())('the daily digest on BullMQ (%s)', (_name, backendOf) => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let runner: ProjectionRunner;
  let commands: WorkerCommands;
  let backend: QueueBackend;
  let queues: JobQueues;
  let engine: ReminderEngine | undefined;
  const clock = new ManualClock(ASSIGNED_AT);
  const city = randomUUID();
  const funan = randomUUID();
  const funanVillage = randomUUID();
  const linquan = randomUUID();
  const cityOffice = randomUUID();
  const funanOffice = randomUUID();
  const townUnit = randomUUID();
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: cityOffice };
  const admin: Actor = { userId: randomUUID(), username: 'admin', role: 'admin', unitId: null };
  const townUser: Actor = { userId: randomUUID(), username: 'town', role: 'unit', unitId: townUnit };
  const cityLeader = randomUUID();
  const funanLeader = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await closedAfterThisFile(startReceiver(), (r) => r.close());
    infra = await closedAfterThisFile(
      startInfrastructure(
        loadConfig({
          DATABASE_URL: database.url,
          JWT_SECRET: 'digest-test-secret-long-enough-0123456789',
          PUBLIC_URL: 'https://zhenggai.example.gov.cn',
          DIGEST_TIME: '08:30',
        }),
        { clock },
      ),
      (opened) => opened.close(),
    );
    await directoryFixtures.region(infra, { id: city, code: '341200', name: '阜阳市', level: 'city' });
    await directoryFixtures.region(infra, {
      id: funan,
      code: '341225',
      name: '阜南县',
      level: 'county',
      parentId: city,
    });
    await directoryFixtures.region(infra, {
      id: funanVillage,
      code: '341225102',
      name: '王堰镇',
      level: 'town',
      parentId: funan,
    });
    await directoryFixtures.region(infra, {
      id: linquan,
      code: '341221',
      name: '临泉县',
      level: 'county',
      parentId: city,
    });
    await directoryFixtures.category(infra, { code: 'dangerous-housing', name: '危房改造' });
    const channel = (path: string) => [
      {
        kind: 'webhook' as const,
        url: `${receiver.url}${path}`,
        format: 'json' as const,
        audience: 'unit' as const,
        takes: ['digest' as const],
      },
    ];
    await directoryFixtures.unit(infra, {
      id: cityOffice,
      name: '阜阳市委督查组',
      regionId: city,
      channels: channel('/city'),
    });
    await directoryFixtures.unit(infra, {
      id: funanOffice,
      name: '阜南县委督查室',
      regionId: funan,
      channels: channel('/funan'),
    });
    // A unit without inspectors takes everything but is no inspection office: it gets no digest.
    await directoryFixtures.unit(infra, {
      id: townUnit,
      name: '王堰镇人民政府',
      regionId: funanVillage,
      channels: [{ kind: 'webhook', url: `${receiver.url}/town`, format: 'json', audience: 'unit' }],
    });
    const users: Array<[string, string, 'inspector' | 'leader' | 'unit', string | null, string | null]> = [
      [townUser.userId, '王堰镇 办事员', 'unit', townUnit, null],
      [inspector.userId, '市委督查组 督查员', 'inspector', cityOffice, null],
      [randomUUID(), '阜南县委督查室 督查员', 'inspector', funanOffice, funan],
      [cityLeader, '市委领导', 'leader', null, null],
      [funanLeader, '阜南县领导', 'leader', null, funan],
    ];
    for (const [id, displayName, role, unitId, regionScopeId] of users) {
      await directoryFixtures.user(infra, {
        id,
        username: `${role}-${randomBytes(3).toString('hex')}`,
        displayName,
        role,
        unitId,
        regionScopeId,
      });
    }
    ({ commands, runner } = await workerCommandsWithTasks(infra));
    // 阜南县: one task overdue since 2030-06-03 (due 06-02), one due 06-04, one due late in the month;
    // 临泉县 (the city's, not 阜南县's): one overdue since 06-02 (due 06-01).
    for (const [regionId, deadline] of [
      [funanVillage, '2030-06-02'],
      [funanVillage, '2030-06-04'],
      [funanVillage, '2030-06-30'],
      [linquan, '2030-06-01'],
    ]) {
      await newTask(regionId, deadline);
    }
    // On 2030-06-02 one 阜南县 task is sent back and another's deadline extended: yesterday's, for the 06-03 digest.
    const sentBack = await newTask(funanVillage, '2030-06-30');
    const extended = await newTask(funanVillage, '2030-06-20');
    clock.set('2030-06-02T15:00:00+08:00');
    const deps = useCaseDeps(infra);
    const meta = (actor: Actor) => ({ actor, now: clock.now().toISOString(), correlationId: randomUUID() });
    for (const taskId of [sentBack, extended])
      await executeTaskCommand(deps, taskId, { type: 'AcceptRectificationTask', data: {}, metadata: meta(townUser) });
    await executeTaskCommand(deps, sentBack, {
      type: 'ReportRectificationProgress',
      data: { quantityDone: null, note: '已开工', evidence: [] },
      metadata: meta(townUser),
    });
    await executeTaskCommand(deps, sentBack, {
      type: 'SubmitRectification',
      data: { report: '已完成', evidence: [{ ref: 'demo/report.pdf', name: '整改报告' }], quantityDone: null },
      metadata: meta(townUser),
    });
    await executeTaskCommand(deps, sentBack, {
      type: 'SendBackRectification',
      data: { reason: '证据不足' },
      metadata: meta(inspector),
    });
    const requestId = randomUUID();
    await executeTaskCommand(deps, extended, {
      type: 'RequestDeadlineExtension',
      data: { requestId, requestedDeadline: '2030-07-31', reason: '汛期' },
      metadata: meta(townUser),
    });
    await executeTaskCommand(deps, extended, {
      type: 'ApproveDeadlineExtension',
      data: { requestId },
      metadata: meta(inspector),
    });
    await waitFor('the send-back and the extension in the read model', async () => {
      const { rows } = await infra.pool.query(
        `SELECT count(*) FILTER (WHERE task_id = $1 AND send_back_count = 1)::int AS sent_back,
                count(*) FILTER (WHERE task_id = $2 AND deadline = '2030-07-31')::int AS extended
           FROM read_models.tasks`,
        [sentBack, extended],
      );
      return rows[0].sent_back === 1 && rows[0].extended === 1;
    });
    backend = backendOf(database.url);
    queues = new JobQueues(backend);
  });

  afterAll(async () => {
    await engine?.stop();
    if (backend) await obliterateQueues(backend);
    await runner?.stop();
    await infra?.close();
    await receiver?.close();
    await database?.drop();
  });

  async function newTask(regionId: string, deadline: string): Promise<string> {
    clock.set(ASSIGNED_AT);
    return assignedTask(infra, inspector, { regionId, leadUnitId: townUnit, deadline });
  }

  /** A worker (re)started at `instant`: it catches up a digest owed then. */
  async function workerAt(instant: string, overrides: Partial<ReminderEngineDeps> = {}): Promise<ReminderEngine> {
    await engine?.stop();
    clock.set(instant);
    queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, { queues, ...overrides });
    await engine.start();
    return engine;
  }

  /** Every digest delivery of `date` sent, and no delivery job left: nothing more will arrive. */
  async function settled(date: string): Promise<void> {
    await waitFor('the digests to be sent', async () => {
      const { rows } = await infra.pool.query(
        `SELECT count(*) FILTER (WHERE status <> 'delivered')::int AS open FROM deliveries WHERE reminder_id = $1`,
        [`digest:${date}`],
      );
      return rows[0].open === 0;
    });
    await waitFor('the delivery jobs to be done', async () =>
      Object.values(await queues.queue(NOTIFICATIONS_QUEUE).getJobCounts('waiting', 'active', 'delayed')).every(
        (n) => n === 0,
      ),
    );
  }

  const digestsOf = (date: string) => receiver.received.filter((r) => r.body.digest?.date === date);
  const figuresOf = (body: any) => Object.fromEntries(body.digest.figures.map((f: any) => [f.label, f.count]));

  it('sends nothing before the digest time', async () => {
    await workerAt('2030-06-03T08:29:00+08:00');
    await engine!.digest.runIfDue();
    expect(await engine!.digest.runIfDue()).toBe(0);
    expect(receiver.received.filter((r) => r.body.digest)).toHaveLength(0);
    // and the repeatable job that sends it is in the queue, at 08:30 Asia/Shanghai
    expect(await queues.queue(MAINTENANCE_QUEUE).getJobScheduler('daily-digest')).toMatchObject({
      pattern: '30 8 * * *',
      tz: 'Asia/Shanghai',
    });
  });

  it('sends each office and each leader one digest a day, though the job runs twice and in two workers', async () => {
    // given the digest time has come
    await workerAt('2030-06-03T08:30:00+08:00');
    // when the job runs again in this worker and in another one
    await engine!.digest.runIfDue();
    const another = new DailyDigest({
      directory: infra.directory,
      users: infra.users,
      tasks: new TaskQueries(infra.pool),
      deliveries: infra.deliveries,
      jobs: engine!.deliveryJobs,
      clock,
      publicUrl: 'https://zhenggai.example.gov.cn',
      store: infra.eventStore,
      time: '08:30',
      tasksCaughtUp: tasksReadModelCaughtUp(infra.pool),
    });
    expect(await another.runIfDue()).toBe(0);
    await settled('2030-06-03');
    // then each recipient got one: the city office its own and the city leader's, the county office its own and the
    // county leader's; the unit without inspectors none
    const digests = digestsOf('2030-06-03');
    expect(digests.map((d) => [d.path, d.body.recipientName]).sort()).toEqual([
      ['/city', '市委领导'],
      ['/city', '阜阳市委督查组'],
      ['/funan', '阜南县委督查室'],
      ['/funan', '阜南县领导'],
    ]);
    expect(receiver.received.filter((r) => r.path === '/town' && r.body.digest)).toHaveLength(0);
    expect(digests.every((d) => d.body.type === 'zhenggai.digest' && d.body.kind === 'digest')).toBe(true);
  });

  it("counts what the deadline view shows as of the digest's time, within each recipient's jurisdiction", async () => {
    const at = new Date('2030-06-03T08:30:00+08:00');
    const view = new TaskQueries(infra.pool);
    const count = async (filter: object) =>
      (await view.list(filter, { page: 1, pageSize: 1 }, { at, warningDays: 3 })).total;
    for (const [path, scope] of [
      ['/city', {}],
      ['/funan', { scopeRegionId: funan }],
    ] as const) {
      const figures = figuresOf(digestsOf('2030-06-03').find((d) => d.path === path)!.body);
      expect(figures).toEqual({
        新增逾期: await count({ ...scope, overdue: true, dueAfter: '2030-06-02', dueBefore: '2030-06-02' }),
        逾期未完成: await count({ ...scope, overdue: true }),
        三天内将逾期: await count({
          ...scope,
          light: ['green', 'yellow'],
          dueAfter: '2030-06-03',
          dueBefore: '2030-06-05',
        }),
        昨日退回重办: 1,
        昨日批准延期: 1,
      });
    }
    // and in numbers: 临泉县's overdue task is the city's, not 阜南县's
    expect(figuresOf(digestsOf('2030-06-03').find((d) => d.path === '/city')!.body)).toMatchObject({
      新增逾期: 1,
      逾期未完成: 2,
      三天内将逾期: 1,
    });
    const funanDigest = digestsOf('2030-06-03').find((d) => d.path === '/funan')!.body;
    expect(figuresOf(funanDigest)).toMatchObject({ 新增逾期: 1, 逾期未完成: 1, 三天内将逾期: 1 });
    expect(funanDigest.regionName).toBe('阜南县');
    expect(funanDigest.digest.figures[0].link).toBe(
      `https://zhenggai.example.gov.cn/tasks?overdue=true&dueAfter=2030-06-02&dueBefore=2030-06-02&regionId=${funan}`,
    );
  });

  it('sends a second digest the next day', async () => {
    await workerAt('2030-06-04T09:00:00+08:00');
    await engine!.digest.runIfDue();
    await settled('2030-06-04');
    expect(digestsOf('2030-06-04')).toHaveLength(4);
    // 06-02's task is no longer new; the one due 06-04 is still not red
    const funanDigest = digestsOf('2030-06-04').find((d) => d.body.recipientName === '阜南县委督查室')!.body;
    // and the send-back and extension of 06-02 were the day before yesterday's
    expect(figuresOf(funanDigest)).toEqual({
      新增逾期: 0,
      逾期未完成: 1,
      三天内将逾期: 1,
      昨日退回重办: 0,
      昨日批准延期: 0,
    });
  });

  it('after two days down, catches up exactly once: that day only', async () => {
    // given the worker was down on 06-05 and comes back on 06-06 at 11:00
    await workerAt('2030-06-06T11:00:00+08:00');
    // when the job runs again too
    await engine!.digest.runIfDue();
    await settled('2030-06-06');
    // then one digest per recipient for 06-06, none for the day missed
    expect(digestsOf('2030-06-05')).toHaveLength(0);
    expect(digestsOf('2030-06-06')).toHaveLength(4);
    expect(receiver.received.filter((r) => r.body.digest)).toHaveLength(12);
  });

  it('goes out at the time an admin set, read from history, not at the configured one', async () => {
    // given an admin set the digest for 07:00 (DIGEST_TIME says 08:30)
    clock.set('2030-06-06T18:00:00+08:00');
    await setDigestTime(directoryDeps(infra), '07:00', '08:30', {
      actor: admin,
      now: clock.now().toISOString(),
      correlationId: randomUUID(),
    });
    // when a worker runs before it, nothing is sent, and the repeatable job is put at 07:00
    await workerAt('2030-06-07T06:59:00+08:00');
    expect(await engine!.digest.runIfDue()).toBe(0);
    expect(await queues.queue(MAINTENANCE_QUEUE).getJobScheduler('daily-digest')).toMatchObject({
      pattern: '0 7 * * *',
      tz: 'Asia/Shanghai',
    });
    expect(digestsOf('2030-06-07')).toHaveLength(0);
    // then after 07:00 and before 08:30 each recipient's digest goes out, as of 07:00
    clock.set('2030-06-07T07:30:00+08:00');
    await engine!.digest.runIfDue();
    await settled('2030-06-07');
    expect(digestsOf('2030-06-07')).toHaveLength(4);
    expect(digestsOf('2030-06-07').every((d) => d.body.digest.asOf === '07:00')).toBe(true);
  });

  it('waits after a start far ahead of the task views, then sends the day’s digest once and whole', async () => {
    // given the task views stopped, and a task of 阜南县 due 06-09 assigned meanwhile (they have not read it)
    await runner.stop();
    clock.set('2030-06-07T18:00:00+08:00');
    await assignedTask(
      infra,
      inspector,
      { regionId: funanVillage, leadUnitId: townUnit, deadline: '2030-06-09' },
      {
        inReadModel: false,
      },
    );
    // when a worker starts after the digest's time (07:00 since the test before), strict about the views' lag
    await workerAt('2030-06-08T07:30:00+08:00', { tasksCaughtUp: tasksReadModelCaughtUp(infra.pool, undefined, 1) });
    // then no digest of the day is recorded while the views are behind, though it is asked again
    expect(await engine!.digest.runIfDue()).toBe(0);
    const recorded = async () =>
      (await infra.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE reminder_id = 'digest:2030-06-08'`))
        .rows[0].n;
    expect(await recorded()).toBe(0);
    // and once they have caught up, the minute's maintenance job sends it, counting the task they had not read
    await runner.start();
    await waitFor('the task views to catch up', () => tasksReadModelCaughtUp(infra.pool, undefined, 1)());
    await queues.queue(MAINTENANCE_QUEUE).add('bulletins', {});
    await waitFor('the digests of the day to be recorded', async () => (await recorded()) === 4);
    await settled('2030-06-08');
    expect(digestsOf('2030-06-08')).toHaveLength(4);
    const view = new TaskQueries(infra.pool);
    const dueSoon = (
      await view.list(
        { scopeRegionId: funan, light: ['green', 'yellow'], dueAfter: '2030-06-08', dueBefore: '2030-06-10' },
        { page: 1, pageSize: 1 },
        { at: new Date('2030-06-08T07:00:00+08:00'), warningDays: 3 },
      )
    ).total;
    const funanDigest = digestsOf('2030-06-08').find((d) => d.body.recipientName === '阜南县委督查室')!.body;
    expect(figuresOf(funanDigest)).toMatchObject({ 三天内将逾期: 1 });
    expect(dueSoon).toBe(1);
  });
});
