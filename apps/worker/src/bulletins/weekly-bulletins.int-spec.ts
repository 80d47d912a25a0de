import {
  addBulletinSchedule,
  EventStore,
  ManualClock,
  ReadStreamOptions,
  scheduledBulletinId,
} from '@zhenggai/application';
import { Actor, BULLETIN_SCHEDULE_STREAM, bulletinStreamName, SYSTEM_ACTOR } from '@zhenggai/domain';
import {
  DeliveryJobs,
  directoryDeps,
  directoryFixtures,
  Infrastructure,
  JobQueues,
  loadConfig,
  NOTIFICATIONS_QUEUE,
  QueueBackend,
  startInfrastructure,
} from '@zhenggai/platform';
import { ProjectionRunner } from '@zhenggai/postgres';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { assignedTask, obliterateQueues, queueBackends, waitFor } from '../../../../test/support/queue-backends';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { WorkerCommands } from '../commands/worker-command';
import { ReminderEngine } from '../reminders/reminder-engine';
import { Receivers, startReceivers } from '../reminders/testing/receivers';
import { workerCommandsWithTasks } from '../reminders/testing/worker-setup';
import { reminderEngineOf } from '../worker.module';
import { tasksReadModelCaughtUp } from '../reminders/tasks-caught-up';
import { WeeklyBulletins } from './weekly-bulletins';

/**
 * 每周情况通报 (issue 21): a weekly bulletin an admin set up is issued by the worker at its time as the engine, once
 * however often the worker runs or restarts, only the one owed now after days down, and its link reaches the
 * inspection offices whose inspectors may read it, through the delivery ledger, on each queue backend.
 */
describe.each(queueBackends())('weekly bulletins on BullMQ (%s)', (_name, backendOf) => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let receiver: Receivers;
  let runner: ProjectionRunner;
  let commands: WorkerCommands;
  let backend: QueueBackend;
  let queues: JobQueues;
  let engine: ReminderEngine | undefined;
  const clock = new ManualClock('2030-06-05T10:00:00+08:00');
  const [city, funan, town, linquan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [cityOffice, funanOffice, linquanOffice, townUnit] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: cityOffice };
  const admin: Actor = { userId: randomUUID(), username: 'admin', role: 'admin', unitId: null };
  let scheduleId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await closedAfterThisFile(startReceivers(), (r) => r.close());
    infra = await closedAfterThisFile(
      startInfrastructure(
        loadConfig({
          DATABASE_URL: database.url,
          JWT_SECRET: 'bulletin-test-secret-long-enough-0123456789',
          PUBLIC_URL: 'https://zhenggai.example.gov.cn',
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
      id: town,
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
        url: `${receiver.webhookUrl}${path}`,
        format: 'json' as const,
        audience: 'unit' as const,
      },
    ];
    for (const [id, name, regionId, path] of [
      [cityOffice, '阜阳市委督查组', city, '/city'],
      [funanOffice, '阜南县委督查室', funan, '/funan'],
      [linquanOffice, '临泉县委督查室', linquan, '/linquan'],
      [townUnit, '王堰镇人民政府', town, '/town'],
    ])
      await directoryFixtures.unit(infra, { id, name, regionId, channels: channel(path) });
    const users: Array<[string, 'inspector' | 'unit', string, string | null]> = [
      [inspector.userId, 'inspector', cityOffice, null],
      [randomUUID(), 'inspector', funanOffice, funan],
      [randomUUID(), 'inspector', linquanOffice, linquan],
      [randomUUID(), 'unit', townUnit, null],
    ];
    for (const [id, role, unitId, regionScopeId] of users)
      await directoryFixtures.user(infra, {
        id,
        username: `${role}-${randomBytes(3).toString('hex')}`,
        displayName: role,
        role,
        unitId,
        regionScopeId,
      });
    ({ commands, runner } = await workerCommandsWithTasks(infra));
    clock.set('2030-06-01T10:00:00+08:00');
    await assignedTask(infra, inspector, { regionId: town, leadUnitId: townUnit, deadline: '2030-06-04' });
    await assignedTask(infra, inspector, { regionId: town, leadUnitId: townUnit, deadline: '2030-06-30' });
    await waitFor('the tasks in the read model', async () => {
      const { rows } = await infra.pool.query('SELECT count(*)::int AS n FROM read_models.tasks');
      return rows[0].n === 2;
    });
    // Set up on Wednesday 2030-06-05: 阜南县, every Monday at 09:00.
    clock.set('2030-06-05T10:00:00+08:00');
    const meta = { actor: admin, now: clock.now().toISOString(), correlationId: randomUUID() };
    ({ id: scheduleId } = await addBulletinSchedule(
      directoryDeps(infra),
      { regionId: funan, campaignId: null, weekday: 1, time: '09:00' },
      meta,
    ));
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

  /** A worker (re)started at `instant`: it issues the bulletin owed then, if any. */
  async function workerAt(instant: string): Promise<void> {
    await engine?.stop();
    clock.set(instant);
    queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, { queues });
    await engine.start();
  }

  async function issued() {
    const { rows } = await infra.pool.query(
      `SELECT stream_name FROM events WHERE type = 'BulletinIssued' ORDER BY global_position`,
    );
    return rows.map((r: { stream_name: string }) => r.stream_name);
  }

  async function settled(): Promise<void> {
    await waitFor('the notices to be sent', async () => {
      const { rows } = await infra.pool.query(
        `SELECT count(*) FILTER (WHERE status <> 'delivered')::int AS open
           FROM deliveries WHERE reminder_id LIKE 'bulletin:%'`,
      );
      return rows[0].open === 0;
    });
    await waitFor('the delivery jobs to be done', async () =>
      Object.values(await queues.queue(NOTIFICATIONS_QUEUE).getJobCounts('waiting', 'active', 'delayed')).every(
        (n) => n === 0,
      ),
    );
  }

  const noticesTo = (path: string) =>
    receiver.received.webhooks.filter((r) => r.path === path && r.body.kind === 'bulletin');

  it('issues nothing for a run before it was set up', async () => {
    await workerAt('2030-06-09T23:00:00+08:00');
    expect(await issued()).toEqual([]);
  });

  it('issues the week’s bulletin at Monday 09:00 as the engine, and tells the offices that may read it', async () => {
    await workerAt('2030-06-10T09:00:30+08:00');
    const period = { from: '2030-06-03', to: '2030-06-09' };
    const bulletinId = scheduledBulletinId({ scheduleId, period });
    expect(await issued()).toEqual([bulletinStreamName(bulletinId)]);
    const [event] = await infra.eventStore.readStream(bulletinStreamName(bulletinId));
    expect(event.data).toMatchObject({
      scope: { regionId: funan, campaignId: null },
      period,
      asOf: new Date('2030-06-10T09:00:00+08:00').toISOString(),
      scheduleId,
      issuedBy: SYSTEM_ACTOR.userId,
      version: 1,
    });
    for (const file of event.data.files) {
      const stored = await infra.evidence.get(file.evidenceId);
      expect(createHash('sha256').update(stored!.bytes).digest('hex')).toBe(file.sha256);
    }
    await settled();
    // The city's office and 阜南县's: their inspectors may read a 阜南县 bulletin; 临泉县's and a unit's may not.
    expect(noticesTo('/city')).toHaveLength(1);
    expect(noticesTo('/funan')).toHaveLength(1);
    expect(noticesTo('/linquan')).toHaveLength(0);
    expect(noticesTo('/town')).toHaveLength(0);
    expect(noticesTo('/funan')[0].body).toMatchObject({ link: 'https://zhenggai.example.gov.cn/bulletins' });
  });

  it('a second run, a restart and a due job the same week issue and send nothing more', async () => {
    await engine!.bulletins.runDue();
    await workerAt('2030-06-12T15:00:00+08:00');
    await engine!.bulletins.runDue();
    await settled();
    expect(await issued()).toHaveLength(1);
    expect(noticesTo('/city')).toHaveLength(1);
    expect(noticesTo('/funan')).toHaveLength(1);
  });

  it('a worker new to the week’s bulletin reads the schedules once a run, and sends no command', async () => {
    const { store, reads } = countingReads(infra.eventStore);
    const sent: unknown[] = [];
    const bulletins = new WeeklyBulletins({
      store,
      directory: infra.directory,
      users: infra.users,
      deliveries: infra.deliveries,
      jobs: new DeliveryJobs(queues.queue(NOTIFICATIONS_QUEUE)),
      clock,
      publicUrl: infra.config.publicUrl,
      commands: { execute: (command) => (sent.push(command), commands.execute(command)) },
      tasksCaughtUp: tasksReadModelCaughtUp(infra.pool),
    });
    await bulletins.runDue();
    await bulletins.runDue();
    await settled();
    expect(reads.filter((stream) => stream === BULLETIN_SCHEDULE_STREAM)).toHaveLength(2);
    expect(sent).toEqual([]);
    expect(await issued()).toHaveLength(1);
    expect(noticesTo('/funan')).toHaveLength(1);
  });

  it('after three weeks down, issues only the bulletin owed now, once', async () => {
    await engine?.stop();
    engine = undefined;
    await workerAt('2030-07-01T10:00:00+08:00');
    await settled();
    const streams = await issued();
    expect(streams).toHaveLength(2);
    expect(streams[1]).toBe(
      bulletinStreamName(scheduledBulletinId({ scheduleId, period: { from: '2030-06-24', to: '2030-06-30' } })),
    );
    expect(noticesTo('/funan')).toHaveLength(2);
  });

  it('a run whose notices could not be recorded (the ledger failed) records them at its next run', async () => {
    await engine?.stop();
    engine = undefined;
    clock.set('2030-07-08T09:00:30+08:00');
    const bulletinId = scheduledBulletinId({ scheduleId, period: { from: '2030-07-01', to: '2030-07-07' } });
    let failures = 1;
    const deliveries = Object.create(infra.deliveries) as typeof infra.deliveries;
    deliveries.record = async (batch) => {
      if (failures-- > 0) throw new Error('the ledger is unavailable for a moment');
      return infra.deliveries.record(batch);
    };
    // Queues of its own (the engine stopped above closed its), closed after the two runs.
    const ownQueues = new JobQueues(backend);
    try {
      const bulletins = new WeeklyBulletins({
        store: infra.eventStore,
        directory: infra.directory,
        users: infra.users,
        deliveries,
        jobs: new DeliveryJobs(ownQueues.queue(NOTIFICATIONS_QUEUE)),
        clock,
        publicUrl: infra.config.publicUrl,
        commands,
        tasksCaughtUp: tasksReadModelCaughtUp(infra.pool),
      });
      await expect(bulletins.runDue()).rejects.toThrow('the ledger is unavailable');
      expect(await issued()).toContain(bulletinStreamName(bulletinId));
      await bulletins.runDue();
    } finally {
      await ownQueues.close();
    }
    const { rows } = await infra.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE reminder_id = $1`, [
      `bulletin:${bulletinId}`,
    ]);
    // The city's office and 阜南县's, once each.
    expect(rows[0].n).toBe(2);
    await workerAt('2030-07-08T09:01:00+08:00');
    await settled();
    expect(noticesTo('/funan')).toHaveLength(3);
  });
});

/** The event store, noting the name of each stream read. */
function countingReads(events: EventStore): { store: EventStore; reads: string[] } {
  const reads: string[] = [];
  const store = new Proxy(events, {
    get: (target, key) =>
      key === 'readStream'
        ? (stream: string, options?: ReadStreamOptions) => (reads.push(stream), target.readStream(stream, options))
        : Reflect.get(target, key),
  });
  return { store, reads };
}
