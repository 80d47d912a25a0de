import {
  assignTask,
  changeUnitDetails,
  disableUser,
  fileFinding,
  ManualClock,
  setUnitChannels,
  StoredEvent,
  UnitChannel,
} from '@zhenggai/application';
import { Actor, CommandMetadata, ReminderRecipient, SYSTEM_ACTOR, taskStreamName } from '@zhenggai/domain';
import {
  DeliveryBatch,
  DeliveryJobs,
  directoryDeps,
  directoryFixtures,
  Infrastructure,
  loadConfig,
  startInfrastructure,
  useCaseDeps,
} from '@zhenggai/platform';
import { PostgresCheckpointStore, PostgresDirectory } from '@zhenggai/postgres';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { openWorkerCommands } from '../commands/worker-commands.module';
import { HandOverNotifier } from './hand-over-notifier.reactor';
import { NotificationDispatcher } from './notification-dispatcher.reactor';
import { ReminderFiring } from './reminder-firing.processor';
import { ReminderJobData } from './reminder-jobs';
import { ReminderRecipients } from './reminder-recipients';

jest.setTimeout(60_000);

/**
 * Whom a level reaches and where it is delivered come from the directory as it is stored when the level fires,
 * not from what the worker read a moment before. The directory's commands write through the API's side of the
 * infrastructure; firing and dispatch read through a directory of their own, as a worker process apart does.
 */
describe('reminder recipients and channels, as the directory stands when a level fires', () => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let firing: ReminderFiring;
  let dispatcher: NotificationDispatcher;
  let notifier: HandOverNotifier;
  const queued: string[] = [];
  const delays = new Map<string, number>();
  const clock = new ManualClock('2030-06-01T10:00:00+08:00');
  const regionId = randomUUID();
  const unitId = randomUUID();
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null };
  const first = { id: randomUUID(), username: 'first-member', displayName: '陈办事员' };
  const leader = { id: randomUUID(), username: 'city-leader', displayName: '王书记' };
  let taskId: string;

  const bySystem = (): CommandMetadata => ({
    actor: SYSTEM_ACTOR,
    now: clock.now().toISOString(),
    correlationId: randomUUID(),
    causationId: null,
  });
  const webhook = (path: string): UnitChannel => ({
    kind: 'webhook',
    url: `http://127.0.0.1:9/${path}`,
    format: 'json',
    audience: 'unit',
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    infra = await startInfrastructure(
      loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'recipients-test-secret-long-enough-0123456789' }),
      { clock },
    );
    await directoryFixtures.region(infra, { id: regionId, code: '341225113201', name: '蔡郢村', level: 'village' });
    await directoryFixtures.category(infra, { code: 'sanitation', name: '改厕' });
    await directoryFixtures.unit(infra, {
      id: unitId,
      name: '蔡郢村民委员会',
      regionId,
      headName: '李主任',
      channels: [webhook('before')],
    });
    await directoryFixtures.user(infra, {
      id: inspector.userId,
      username: inspector.username,
      displayName: '李督查',
      role: 'inspector',
    });
    await directoryFixtures.user(infra, { ...first, role: 'unit', unitId });
    await directoryFixtures.user(infra, { ...leader, role: 'leader' });

    const worker = new PostgresDirectory(infra.pool);
    const { commands } = await closedAfterThisFile(
      openWorkerCommands({ store: infra.eventStore, clock, recipients: new ReminderRecipients(worker, infra.users) }),
      (opened) => opened.close(),
    );
    firing = new ReminderFiring(commands);
    const jobs = {
      enqueue: async (batches: readonly DeliveryBatch[]) => {
        for (const { batch, delayMs } of batches) {
          queued.push(batch);
          delays.set(batch, delayMs ?? 0);
        }
      },
    } as unknown as DeliveryJobs;
    dispatcher = new NotificationDispatcher(
      infra.eventStore,
      new PostgresCheckpointStore(infra.pool),
      worker,
      infra.deliveries,
      jobs,
      'https://zhenggai.example.gov.cn',
      clock,
    );
    notifier = new HandOverNotifier(
      infra.eventStore,
      new PostgresCheckpointStore(infra.pool),
      worker,
      infra.deliveries,
      jobs,
      'https://zhenggai.example.gov.cn',
      clock,
    );

    const deps = useCaseDeps(infra);
    const meta = { actor: inspector, now: clock.now().toISOString(), correlationId: randomUUID(), causationId: null };
    const finding = await fileFinding(
      deps,
      {
        title: '旱厕未拆除',
        description: '',
        regionId,
        category: 'sanitation',
        severity: 'medium',
        source: '督查组',
        evidence: [],
      },
      meta,
    );
    taskId = (
      await assignTask(
        deps,
        {
          findingId: finding.id,
          leadUnitId: unitId,
          cooperatingUnitIds: [],
          deadline: '2030-06-30',
          measures: '拆除旱厕',
          target: null,
          campaignId: null,
          title: null,
        },
        meta,
      )
    ).id;
  });
  afterAll(async () => {
    await infra?.close();
    await database?.drop();
  });

  /** Fires a level of the default ladder at `instant`, as its BullMQ job would, and returns the event it recorded. */
  async function fire(level: string, instant: string): Promise<StoredEvent> {
    clock.set(instant);
    const job = {
      id: `reminder_${taskId}_0_${level}`,
      data: { taskId, deadlineVersion: 0, level, dueAt: instant },
    } as unknown as Job<ReminderJobData>;
    expect(await firing.process(job)).toBe('recorded');
    const events = await infra.eventStore.readStream(taskStreamName(taskId));
    return events[events.length - 1];
  }
  const accounts = (event: StoredEvent) =>
    (event.data.recipients as ReminderRecipient[]).filter((r) => r.kind === 'user').map((r) => r.name);

  it('reaches an account created just before the level fires, and not one disabled just before', async () => {
    expect(accounts(await fire('reminder', '2030-06-27T09:00:00+08:00'))).toEqual(['陈办事员']);

    // No pause: the next level fires the moment the directory has changed.
    await directoryFixtures.user(infra, {
      id: randomUUID(),
      username: 'second-member',
      displayName: '周办事员',
      role: 'unit',
      unitId,
    });
    await disableUser(directoryDeps(infra), first.id, bySystem());
    expect(accounts(await fire('due_today', '2030-06-30T09:00:00+08:00'))).toEqual(['周办事员']);
  });

  it(
    'names the unit’s head, the assigning inspector and the leaders as ' + 'they are stored when the level fires',
    async () => {
      await changeUnitDetails(
        directoryDeps(infra),
        unitId,
        { name: '蔡郢村民委员会', headName: '张主任', contact: null },
        bySystem(),
      );
      const urged = await fire('urge', '2030-07-01T09:00:00+08:00');
      expect(urged.data.recipients).toEqual(
        expect.arrayContaining([
          { role: 'unit_head', kind: 'unit', id: unitId, name: '蔡郢村民委员会（张主任）' },
          { role: 'assigning_office', kind: 'user', id: inspector.userId, name: '李督查' },
        ]),
      );

      await directoryFixtures.user(infra, {
        id: randomUUID(),
        username: 'county-leader',
        displayName: '赵县长',
        role: 'leader',
      });
      await disableUser(directoryDeps(infra), leader.id, bySystem());
      expect(accounts(await fire('supervise', '2030-07-03T09:00:00+08:00'))).toEqual(['赵县长']);
    },
  );

  it(
    'delivers to the unit’s channels as they are stored when it ' + 'dispatches, not as they were a moment before',
    async () => {
      const ladder = (await infra.eventStore.readStream(taskStreamName(taskId))).filter(
        (e) => e.type === 'RectificationTaskReminded',
      );
      const addresses = async () =>
        (await infra.deliveries.list({ taskId })).map((d) => ({
          reminderId: d.reminderId,
          url: (d.address as { url: string }).url,
        }));

      await dispatcher.handle([ladder[0]]);
      expect(await addresses()).toEqual([{ reminderId: '0:reminder', url: 'http://127.0.0.1:9/before' }]);

      await setUnitChannels(
        directoryDeps(infra),
        unitId,
        [webhook('after')],
        [{ kind: 'webhook', audience: 'unit', address: '127.0.0.1:9/after' }],
        bySystem(),
      );
      await dispatcher.handle([ladder[1]]);
      expect((await addresses()).find((d) => d.reminderId === '0:due_today')).toEqual({
        reminderId: '0:due_today',
        url: 'http://127.0.0.1:9/after',
      });
      expect(queued).toHaveLength(2);
    },
  );

  it(
    'sends one message, not two, to a unit without head channels for a ' +
      'level addressed to both the unit and its head',
    async () => {
      await infra.reminderPolicies.define(
        'default',
        '双重提醒',
        [
          {
            level: 'both',
            label: '提醒',
            kind: 'reminder',
            offset: { days: -3, hourOfDay: 9 },
            recipients: ['unit', 'unit_head'],
          },
        ],
        inspector.userId,
      );
      const meta = { actor: inspector, now: clock.now().toISOString(), correlationId: randomUUID(), causationId: null };
      const findingId = (
        await fileFinding(
          useCaseDeps(infra),
          {
            title: '沟塘未清淤',
            description: '',
            regionId,
            category: 'sanitation',
            severity: 'low',
            source: '督查组',
            evidence: [],
          },
          meta,
        )
      ).id;
      const both = (
        await assignTask(
          useCaseDeps(infra),
          {
            findingId,
            leadUnitId: unitId,
            cooperatingUnitIds: [],
            deadline: '2030-07-31',
            measures: '清淤',
            target: null,
            campaignId: null,
            title: null,
          },
          meta,
        )
      ).id;
      clock.set('2030-07-28T09:00:00+08:00');
      const job = {
        id: `reminder_${both}_0_both`,
        data: { taskId: both, deadlineVersion: 0, level: 'both', dueAt: clock.now().toISOString() },
      } as unknown as Job<ReminderJobData>;
      expect(await firing.process(job)).toBe('recorded');
      const [fired] = (await infra.eventStore.readStream(taskStreamName(both))).filter(
        (e) => e.type === 'RectificationTaskReminded',
      );
      expect(
        (fired!.data.recipients as ReminderRecipient[]).filter((r) => r.kind === 'unit').map((r) => r.role),
      ).toEqual(['unit', 'unit_head']);

      await dispatcher.handle([fired!]);

      const deliveries = await infra.deliveries.list({ taskId: both });
      expect(deliveries.map((d) => [(d.address as { url: string }).url, d.message.recipientName])).toEqual([
        ['http://127.0.0.1:9/after', '蔡郢村民委员会'],
      ]);
    },
  );

  it('records each hand-over notice once when the notifier runs again over the same events', async () => {
    // A worker killed after recording its deliveries but before saving its checkpoint runs the same batch again.
    const stream = await infra.eventStore.readStream(taskStreamName(taskId));
    const notices = async () =>
      (await infra.deliveries.list({ taskId })).filter((d) => d.reminderId.startsWith('notice:'));
    await notifier.handle(stream);
    const once = await notices();
    expect(once.map((d) => [d.reminderId, d.message.levelLabel, d.message.recipientName])).toEqual([
      ['notice:assigned', '新交办', '蔡郢村民委员会'],
    ]);
    await notifier.handle(stream);
    expect(await notices()).toEqual(once);
  });

  it('holds an e-mail due in its quiet hours until they end, and sends a webhook at once', async () => {
    await setUnitChannels(
      directoryDeps(infra),
      unitId,
      [
        { ...webhook('now'), takes: ['assigned'] },
        {
          kind: 'email',
          address: 'li@caiying.example.cn',
          audience: 'unit',
          quietHours: { from: '22:00', to: '07:00' },
        },
      ],
      [
        { kind: 'webhook:json', audience: 'unit', address: '127.0.0.1:9/now', takes: ['assigned'] },
        {
          kind: 'email',
          audience: 'unit',
          address: 'li@caiying.example.cn',
          quietHours: { from: '22:00', to: '07:00' },
        },
      ],
      bySystem(),
    );
    clock.set('2030-08-01T23:00:00+08:00');
    const meta = { actor: inspector, now: clock.now().toISOString(), correlationId: randomUUID(), causationId: null };
    const late = (
      await assignTask(
        useCaseDeps(infra),
        {
          findingId: (await infra.eventStore.readStream(taskStreamName(taskId)))[0].data.findingId,
          leadUnitId: unitId,
          cooperatingUnitIds: [],
          deadline: '2030-08-30',
          measures: '夜间交办',
          target: null,
          campaignId: null,
          title: '夜间交办的任务',
        },
        meta,
      )
    ).id;
    await notifier.handle(await infra.eventStore.readStream(taskStreamName(late)));
    const sent = await infra.deliveries.list({ taskId: late });
    const delayOf = (kind: string) => delays.get(sent.find((d) => d.address.kind === kind)!.batch!) ?? 0;
    expect(sent.map((d) => d.address.kind).sort()).toEqual(['email', 'webhook']);
    // 23:00 to 07:00 the next morning.
    expect([delayOf('webhook'), delayOf('email')]).toEqual([0, 8 * 3_600_000]);
    // Held until then: should the queue lose the e-mail's job, the reconciliation does not send it in the night.
    const owed = (await infra.deliveries.pending()).filter((d) => d.taskId === late);
    expect(owed.map((d) => d.address.kind)).toEqual(['webhook']);
    const { rows } = await infra.pool.query<{ hours: number }>(
      `SELECT extract(epoch FROM held_until - now()) / 3600 AS hours FROM deliveries
        WHERE task_id = $1 AND address->>'kind' = 'email'`,
      [late],
    );
    expect(Number(rows[0]!.hours)).toBeGreaterThan(7.9);
  });
});
