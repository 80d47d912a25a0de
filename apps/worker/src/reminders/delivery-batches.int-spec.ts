import { AddressBusyError, ManualClock, NotificationChannel, StoredEvent } from '@zhenggai/application';
import { Actor, taskStreamName } from '@zhenggai/domain';
import { WebhookChannel } from '@zhenggai/notifications';
import {
  directoryFixtures,
  Infrastructure,
  JobQueues,
  loadConfig,
  MAINTENANCE_QUEUE,
  NOTIFICATIONS_QUEUE,
  QueueBackend,
  startInfrastructure,
} from '@zhenggai/platform';
import { Delivery, ProjectionRunner } from '@zhenggai/postgres';
import { randomUUID } from 'node:crypto';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { assignedTask, obliterateQueues, queueBackends, waitFor } from '../../../../test/support/queue-backends';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { WorkerCommands } from '../commands/worker-command';
import { reminderEngineOf } from '../worker.module';
import { DeliveryProcessor } from './delivery.processor';
import { ReminderEngine, ReminderEngineDeps } from './reminder-engine';
import { Receivers, startReceivers } from './testing/receivers';
import { registerActors, workerCommandsWithTasks } from './testing/worker-setup';

jest.setTimeout(120_000);

const NOW = '2030-06-01T10:00:00+08:00';
/** Tasks assigned at once to the one unit, whose one channel is a JSON webhook: a notice each. */
const N = 10;

/**
 * The notices of a batch of events go out in batches, on each queue backend. A batch the reaction has just recorded is
 * sent at once by the process that recorded it (`DirectDelivery`); what it cannot send, and every batch recorded
 * before (a replay), is queued: one queue job per channel's batch, which sends them one by one, each its own message
 * with its own delivery id; a job run again sends only what the ledger does not say it sent. The queue's part is
 * tested with the engine sending nothing at once (`directDelivery: false`).
 */
describe.each(queueBackends())('delivery batches (%s)', (_name, backendOf) => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let receivers: Receivers;
  let commands: WorkerCommands;
  let runner: ProjectionRunner;
  let backend: QueueBackend;
  let queues: JobQueues;
  let engine: ReminderEngine;
  const clock = new ManualClock(NOW);
  const regionId = randomUUID();
  const unitId = randomUUID();
  /** A unit whose one channel is a DingTalk group robot. */
  const robotUnitId = randomUUID();
  /** A unit whose one channel is a receiver of its own that takes messages in batches (`json-batch`). */
  const batchUnitId = randomUUID();
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null };

  beforeAll(async () => {
    database = await createTestDatabase();
    receivers = await closedAfterThisFile(startReceivers(), (r) => r.close());
    infra = await closedAfterThisFile(
      startInfrastructure(
        loadConfig({
          DATABASE_URL: database.url,
          PUBLIC_URL: 'https://zhenggai.example.gov.cn',
          JWT_SECRET: 'delivery-batches-secret-long-enough-0123456789',
        }),
        { clock },
      ),
      (opened) => opened.close(),
    );
    await directoryFixtures.region(infra, { id: regionId, code: '341225102201', name: '蔡郢村', level: 'village' });
    await directoryFixtures.category(infra, { code: 'dangerous-housing', name: '危房改造' });
    await directoryFixtures.unit(infra, {
      id: unitId,
      name: '蔡郢村民委员会',
      regionId,
      channels: [{ kind: 'webhook', url: `${receivers.webhookUrl}/batches`, format: 'json', audience: 'unit' }],
    });
    await directoryFixtures.unit(infra, {
      id: robotUnitId,
      name: '王堰镇人民政府',
      regionId,
      channels: [
        {
          kind: 'webhook',
          url: `${receivers.webhookUrl}/dingtalk/robot?access_token=t0k3n`,
          format: 'dingtalk',
          audience: 'unit',
        },
      ],
    });
    await directoryFixtures.unit(infra, {
      id: batchUnitId,
      name: '田集镇人民政府',
      regionId,
      channels: [
        { kind: 'webhook', url: `${receivers.webhookUrl}/json-batch`, format: 'json-batch', audience: 'unit' },
      ],
    });
    await registerActors(infra, [[inspector, '李督查']]);
    ({ commands, runner } = await workerCommandsWithTasks(infra));
  });

  beforeEach(() => {
    backend = backendOf(database.url);
    queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, {
      queues,
      deliveryRetry: { attempts: 3, backoffMs: 50 },
      directDelivery: false,
    });
  });

  /** Engines that send at once, made by a test: what they are sending ends before the queues close. */
  const sendingAtOnce: ReminderEngine[] = [];
  const atOnce = (overrides: Partial<ReminderEngineDeps> = {}) => {
    const made = reminderEngineOf(infra, commands, {
      queues,
      deliveryRetry: { attempts: 3, backoffMs: 50 },
      ...overrides,
    });
    sendingAtOnce.push(made);
    return made;
  };

  afterEach(async () => {
    for (const made of sendingAtOnce.splice(0)) await made.direct?.stop();
    await queues.close();
    await obliterateQueues(backend);
  });

  afterAll(async () => {
    await runner?.stop();
    await infra?.close();
    await receivers?.close();
    await database?.drop();
  });

  /** N tasks assigned to the unit; answers their assignments (a notice each). */
  async function assignments(count = N, leadUnitId = unitId): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for (let i = 0; i < count; i++) {
      const taskId = await assignedTask(infra, inspector, { regionId, leadUnitId, deadline: '2030-09-30' });
      events.push((await infra.eventStore.readStream(taskStreamName(taskId)))[0]);
    }
    return events;
  }

  async function ledgerOf(events: readonly StoredEvent[]): Promise<Delivery[]> {
    const rows = await Promise.all(events.map((e) => infra.deliveries.list({ taskId: e.data.taskId })));
    return rows.flat().sort((a, b) => a.id.localeCompare(b.id));
  }

  const jobsQueued = () => queues.queue(NOTIFICATIONS_QUEUE).getJobs(['waiting', 'delayed', 'prioritized', 'active']);

  /** The delivery ids of the notices of `events` that reached the webhook, in order of arrival. */
  const arrivalsOf = (events: readonly StoredEvent[]): string[] => {
    const tasks = new Set(events.map((e) => e.data.taskId));
    return receivers.received.webhooks
      .filter((w) => w.path === '/batches' && tasks.has(w.body.taskId))
      .map((w) => w.body.deliveryId as string);
  };

  const allDelivered = (events: readonly StoredEvent[]) =>
    waitFor('every notice to be delivered', async () => {
      const ledger = await ledgerOf(events);
      return ledger.length === N && ledger.every((d) => d.status === 'delivered');
    });

  it('queues the notices of a batch of events to one channel as one job, once however often it runs', async () => {
    const events = await assignments();

    await engine.notifier.handle(events);
    const ledger = await ledgerOf(events);
    expect(ledger).toHaveLength(N);
    expect(new Set(ledger.map((d) => d.batch)).size).toBe(1);
    const [job, ...more] = await jobsQueued();
    expect(more).toHaveLength(0);
    expect(job.data).toEqual({ batch: ledger[0].batch });

    // A replay, of the same events and of part of them, queues no second job.
    await engine.notifier.handle(events.slice(0, N / 2));
    await engine.notifier.handle(events);
    expect(await jobsQueued()).toHaveLength(1);

    // Sent: one message per notice, each with its own delivery id.
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => engine.delivery.process(j as never, token));
    await allDelivered(events);
    await waitFor('the job to be done', async () => (await jobsQueued()).length === 0);
    expect(arrivalsOf(events).sort()).toEqual(ledger.map((d) => d.id));
  });

  it.each([1, 4])(
    'sends, when the job runs again after half its notices were sent, only the rest (%i at a time)',
    async (lanes) => {
      const events = await assignments();
      await engine.notifier.handle(events);
      const ids = (await ledgerOf(events)).map((d) => d.id);

      // The webhook fails the first attempt's message after half of them were taken.
      const { channel, tried } = refusing((_id, tries) => tries === N / 2 + 1);
      const processor = new DeliveryProcessor(infra.deliveries, [channel], lanes);
      queues.worker(NOTIFICATIONS_QUEUE, (j, token) => processor.process(j as never, token));
      await allDelivered(events);

      // Every notice arrived once; only the one that failed was tried twice, the first attempt's others once.
      expect(arrivalsOf(events).sort()).toEqual(ids);
      const failed = tried[N / 2];
      expect(tried.filter((id) => id === failed)).toHaveLength(2);
      expect([...tried].sort()).toEqual([...ids, failed].sort());
      const ledger = await ledgerOf(events);
      expect(ledger.map((d) => d.attempts)).toEqual(ids.map((id) => (id === failed ? 2 : 1)));
      // One at a time, in the order recorded: the first half, the failed one, then from it on.
      if (lanes === 1) expect(tried).toEqual([...ids.slice(0, N / 2 + 1), ...ids.slice(N / 2)]);
    },
  );

  /** A webhook channel that refuses the messages `refused` picks (by delivery id and how often it was tried). */
  function refusing(refused: (deliveryId: string, tries: number) => boolean) {
    const webhook = new WebhookChannel();
    const tried: string[] = [];
    const channel: NotificationChannel = {
      kind: 'webhook',
      send: async (address, message) => {
        tried.push(message.deliveryId);
        if (refused(message.deliveryId, tried.length)) throw new Error('webhook answered 500');
        await webhook.send(address, message);
      },
    };
    return { channel, tried };
  }

  it('delivers all of a batch to a robot refusing one in three: an attempt that sent some spends none', async () => {
    const events = await assignments();
    await engine.notifier.handle(events);
    const ids = (await ledgerOf(events)).map((d) => d.id);

    // Three attempts, each sending two messages before the third is refused, would leave four failed if each spent one.
    const { channel } = refusing((_id, tries) => tries % 3 === 0);
    const processor = new DeliveryProcessor(infra.deliveries, [channel], 1);
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => processor.process(j as never, token));
    await allDelivered(events);
    expect(arrivalsOf(events).sort()).toEqual(ids);
  });

  it('marks failed a message the robot always refuses, once the rest of its batch is out', async () => {
    const events = await assignments();
    await engine.notifier.handle(events);
    const ids = (await ledgerOf(events)).map((d) => d.id);
    const bad = ids[3];

    const { channel, tried } = refusing((id) => id === bad);
    const processor = new DeliveryProcessor(infra.deliveries, [channel], 4);
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => processor.process(j as never, token));
    await waitFor('the batch to have run its course', async () =>
      (await ledgerOf(events)).every((d) => d.status !== 'pending'),
    );
    const ledger = await ledgerOf(events);
    expect(ledger.filter((d) => d.status === 'failed').map((d) => d.id)).toEqual([bad]);
    expect(arrivalsOf(events).sort()).toEqual(ids.filter((id) => id !== bad));
    // Tried on every attempt until the rest were gone, then on each of the job's three attempts: never without end.
    expect(tried.filter((id) => id === bad).length).toBeLessThanOrEqual(N);
    await waitFor('the job to be done', async () => (await jobsQueued()).length === 0);
  });
  /** `count` tasks assigned to the unit, their notices recorded (one each) and delivered by the queue's worker. */
  async function deliveredByQueue(count: number, leadUnitId: typeof unitId) {
    const events = await assignments(count, leadUnitId);
    await engine.notifier.handle(events);
    const ledger = await ledgerOf(events);
    expect(ledger).toHaveLength(count);
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => engine.delivery.process(j as never, token));
    await waitFor('every notice to be delivered', async () =>
      (await ledgerOf(events)).every((d) => d.status === 'delivered'),
    );
    return { events, ledger };
  }

  it('lists a robot group’s notices ten to a message (robots take 20 a minute), each marked delivered', async () => {
    const { events } = await deliveredByQueue(23, robotUnitId);
    const messages = receivers.received.webhooks.filter(
      (w) => w.path.startsWith('/dingtalk/robot') && events.some((e) => JSON.stringify(w.body).includes(e.data.taskId)),
    );
    expect(messages.map((m) => m.body.markdown.title).sort()).toEqual([
      '【新交办】10项任务',
      '【新交办】10项任务',
      '【新交办】3项任务',
    ]);
    // Each task in exactly one of them.
    for (const event of events)
      expect(messages.filter((m) => m.body.markdown.text.includes(`/tasks/${event.data.taskId}`))).toHaveLength(1);
  });

  it('sends a json-batch receiver a batch of notices in one request, each with its delivery id', async () => {
    const { events, ledger } = await deliveredByQueue(23, batchUnitId);
    const requests = receivers.received.webhooks.filter((w) => w.path === '/json-batch');
    expect(requests.map((r) => r.body.type)).toEqual(['zhenggai.batch']);
    const messages = requests[0].body.messages as Array<{ type: string; deliveryId: string; taskId: string }>;
    expect(messages.map((m) => m.deliveryId).sort()).toEqual(ledger.map((d) => d.id));
    expect(messages.map((m) => m.taskId).sort()).toEqual(events.map((e) => e.data.taskId).sort());
    expect(new Set(messages.map((m) => m.type))).toEqual(new Set(['zhenggai.notice']));
  });

  /**
   * A robot that takes `perWindow` messages in any `windowMs` and answers the rest that it is sent too much too fast
   * (as DingTalk's 130101 does), saying how long until it takes one more; the channel itself knows no pace unless
   * `paced` (another process posting to the same group is met this way).
   */
  function busyRobot(perWindow: number, windowMs: number, paced = false) {
    const webhook = new WebhookChannel();
    const taken: number[] = [];
    let refused = 0;
    const channel: NotificationChannel = {
      kind: 'webhook',
      send: async (address, message) => {
        const now = Date.now();
        const recent = taken.filter((at) => at > now - windowMs);
        if (recent.length >= perWindow) {
          refused++;
          const wait = recent[recent.length - perWindow]! + windowMs - now;
          throw new AddressBusyError('webhook json is sending too fast: 130101 send too fast', wait);
        }
        taken.push(now);
        await webhook.send(address, message);
      },
      ...(paced && { paceOf: () => [{ messages: perWindow, perMs: windowMs }] }),
    };
    return { channel, taken, refused: () => refused };
  }

  /** The most that went out within any `windowMs`. */
  const busiest = (times: readonly number[], windowMs: number) =>
    Math.max(...times.map((at) => times.filter((t) => t >= at && t < at + windowMs).length));

  it('waits for a robot that says it is sent too fast, spending no attempt, until every message is out', async () => {
    const events = await assignments();
    await engine.notifier.handle(events);
    const ids = (await ledgerOf(events)).map((d) => d.id);

    // Four a second: three attempts with a backoff of 50 ms would have run out long before the tenth message.
    const robot = busyRobot(4, 1_000);
    const processor = new DeliveryProcessor(infra.deliveries, [robot.channel], 4);
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => processor.process(j as never, token));
    await allDelivered(events);
    expect(arrivalsOf(events).sort()).toEqual(ids);
    expect(robot.refused()).toBeGreaterThan(0);
    // No attempt was spent on waiting: each row went out on its first, and none is marked with an error.
    expect((await ledgerOf(events)).map((d) => [d.attempts, d.lastError])).toEqual(ids.map(() => [1, null]));
    // After a refusal the process sent nothing there until the robot said it would take more.
    expect(busiest(robot.taken, 1_000)).toBeLessThanOrEqual(4);
  });

  it('counts a busy answer as a failed attempt once a batch has waited for its robot long enough', async () => {
    const events = await assignments(3);
    await engine.notifier.handle(events);
    // A robot that never takes anything; the batch has waited its allowance (here none) already.
    const webhook: NotificationChannel = {
      kind: 'webhook',
      send: async () => {
        throw new AddressBusyError('webhook json is sending too fast: 130101 send too fast', 50);
      },
    };
    const processor = new DeliveryProcessor(infra.deliveries, [webhook], 4, undefined, 0);
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => processor.process(j as never, token));
    await waitFor('the batch to have run its course', async () =>
      (await ledgerOf(events)).every((d) => d.status === 'failed'),
    );
    expect((await ledgerOf(events)).map((d) => [d.attempts, d.lastError])).toEqual(
      events.map(() => [3, 'webhook json is sending too fast: 130101 send too fast']),
    );
  });

  it('sends no faster than a robot’s pace, so it refuses nothing; a batch sent at once waits as a job', async () => {
    const events = await assignments();
    // Five in 2.5 s: longer than a lane waits, so the rest of the batch is queued to go when the robot takes more.
    const robot = busyRobot(5, 2_500, true);
    const sender = atOnce({ channels: [robot.channel] });
    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => sender.delivery.process(j as never, token));

    await sender.notifier.handle(events);
    await allDelivered(events);
    const ids = (await ledgerOf(events)).map((d) => d.id);
    expect(arrivalsOf(events).sort()).toEqual(ids);
    expect(robot.refused()).toBe(0);
    expect((await ledgerOf(events)).map((d) => d.attempts)).toEqual(ids.map(() => 1));
    expect(busiest(robot.taken, 2_500)).toBeLessThanOrEqual(5);
  });

  it('finds a queue that lost its jobs and queues again at once what it had', async () => {
    const events = await assignments();
    await engine.notifier.handle(events);
    expect(await jobsQueued()).toHaveLength(1);
    // A started engine has put its repeatable jobs in the queue; this one has not, so the first look puts them there.
    expect(await engine.recoverLostQueue()).toBe(true);
    expect(await engine.recoverLostQueue()).toBe(false);

    // The queue loses everything (a Redis restarted without its data): the next look finds it, and the batch is
    // queued again then, not at the next reconciliation.
    for (const name of [NOTIFICATIONS_QUEUE, MAINTENANCE_QUEUE]) await queues.queue(name).obliterate({ force: true });
    expect(await jobsQueued()).toHaveLength(0);
    expect(await engine.recoverLostQueue()).toBe(true);
    expect(await jobsQueued()).toHaveLength(1);
    expect(await queues.queue(MAINTENANCE_QUEUE).getJobScheduler('reconcile-reminders')).toBeDefined();

    queues.worker(NOTIFICATIONS_QUEUE, (j, token) => engine.delivery.process(j as never, token));
    await allDelivered(events);
    expect(arrivalsOf(events).sort()).toEqual((await ledgerOf(events)).map((d) => d.id));
  });

  /** A webhook that holds every message until it is let go. */
  function holdingWebhook(): { holding: NotificationChannel; letGo: () => void } {
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const webhook = new WebhookChannel();
    const holding: NotificationChannel = {
      kind: 'webhook',
      send: async (address, message) => {
        await held;
        await webhook.send(address, message);
      },
    };
    return { holding, letGo };
  }

  describe('sent at once', () => {
    it('sends the notices it has just recorded without a job, each once; a replay sends nothing again', async () => {
      const events = await assignments();
      const sender = atOnce();

      await sender.notifier.handle(events);
      await allDelivered(events);
      const ids = (await ledgerOf(events)).map((d) => d.id);
      expect(await jobsQueued()).toHaveLength(0);
      expect(arrivalsOf(events).sort()).toEqual(ids);

      await sender.notifier.handle(events);
      await sender.direct!.stop();
      expect(await jobsQueued()).toHaveLength(0);
      expect(arrivalsOf(events).sort()).toEqual(ids);
    });

    it('hands the rest of a batch to the queue when a message fails, and the queue sends it', async () => {
      const events = await assignments();
      const { channel, tried } = refusing((_id, tries) => tries === 4);
      const sender = atOnce({ channels: [channel], deliveryLanes: 1 });

      await sender.notifier.handle(events);
      await waitFor('the rest to be queued', async () => (await jobsQueued()).length === 1);
      const ledger = await ledgerOf(events);
      expect(ledger.filter((d) => d.status === 'delivered')).toHaveLength(3);
      expect(ledger.find((d) => d.id === tried[3])).toMatchObject({ status: 'pending', attempts: 1 });

      // Handed over, the batch is no longer held for the sender: should the queue lose its job, the reconciliation
      // queues it again at once, not once the grace is over.
      const heldRows = async () =>
        (await infra.pool.query(`SELECT 1 FROM deliveries WHERE status = 'pending' AND held_until > now()`)).rowCount;
      await waitFor('the batch to be let go', async () => (await heldRows()) === 0);
      await queues.queue(NOTIFICATIONS_QUEUE).obliterate({ force: true });
      expect(await sender.reconciliation.requeueDeliveries()).toBe(1);

      queues.worker(NOTIFICATIONS_QUEUE, (j, token) => sender.delivery.process(j as never, token));
      await allDelivered(events);
      expect(arrivalsOf(events).sort()).toEqual(ledger.map((d) => d.id));
      expect(tried.filter((id) => id === tried[3])).toHaveLength(2);
    });

    it('keeps the batch it is sending held for itself past the grace, renewing the hold', async () => {
      const events = await assignments();
      const { holding, letGo } = holdingWebhook();
      const sender = atOnce({ channels: [holding], directGraceMs: 2000 });
      await sender.notifier.handle(events);
      const holdUntil = async () =>
        Number(
          (
            await infra.pool.query<{ until: string }>(
              `SELECT max(extract(epoch FROM held_until)) AS until FROM deliveries WHERE status = 'pending'`,
            )
          ).rows[0]!.until,
        );
      const first = await holdUntil();
      // Renewed every third of the grace while the messages are in hand: the reconciliation leaves the batch alone.
      await waitFor('the hold to be renewed twice', async () => (await holdUntil()) > first + 1);
      expect(await sender.reconciliation.requeueDeliveries()).toBe(0);
      expect(await jobsQueued()).toHaveLength(0);

      letGo();
      await allDelivered(events);
      expect(arrivalsOf(events).sort()).toEqual((await ledgerOf(events)).map((d) => d.id));
    });

    it('leaves to another worker the batch it is sending, and queues it once its hold is over', async () => {
      const events = await assignments();
      // One worker's webhook holds every message until it is let go.
      const { holding, letGo } = holdingWebhook();
      const first = atOnce({ channels: [holding] });
      await first.notifier.handle(events);

      // Another worker reacting to the same events a moment later queues nothing: the first has them in hand. Nor
      // does the reconciliation (every minute) while the ledger holds them for it.
      const other = atOnce();
      await other.notifier.handle(events);
      expect(await other.reconciliation.requeueDeliveries()).toBe(0);
      expect(await jobsQueued()).toHaveLength(0);
      // Once the hold is over they are taken for a dead worker's, and queued, once.
      await infra.pool.query(`UPDATE deliveries SET held_until = now() WHERE held_until > now()`);
      expect(await other.reconciliation.requeueDeliveries()).toBe(1);
      await other.notifier.handle(events);
      expect(await jobsQueued()).toHaveLength(1);

      letGo();
      await allDelivered(events);
      expect(arrivalsOf(events).sort()).toEqual((await ledgerOf(events)).map((d) => d.id));
    });
  });
});
