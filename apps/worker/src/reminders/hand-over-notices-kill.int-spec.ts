import {
  ChannelAddress,
  executeTaskCommand,
  ManualClock,
  NOTICE_LABELS,
  TaskLifecycleCommand,
  UnitChannel,
} from '@zhenggai/application';
import { Actor, taskStreamName } from '@zhenggai/domain';
import {
  directoryFixtures,
  Infrastructure,
  JobQueues,
  loadConfig,
  NOTIFICATIONS_QUEUE,
  QueueBackend,
  startInfrastructure,
  useCaseDeps,
} from '@zhenggai/platform';
import { Delivery, PostgresCheckpointStore, ProjectionRunner } from '@zhenggai/postgres';
import { randomUUID } from 'node:crypto';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { dingTalkNotices } from '../../../../test/support/robot-messages';
import { checkpointReaches } from '../../../../test/support/checkpoint-reaches';
import { assignedTask, obliterateQueues, queueBackends, waitFor } from '../../../../test/support/queue-backends';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { WorkerCommands } from '../commands/worker-command';
import { reminderEngineOf } from '../worker.module';
import { ReminderEngine } from './reminder-engine';
import { Receivers, startReceivers } from './testing/receivers';
import { registerActors, workerCommandsWithTasks } from './testing/worker-setup';
import { killedAt, QUICK_RECOVERY, WorkerStep } from './testing/worker-process';

/**
 * 交办通知 when the worker process is killed mid-way (issue 19), on each queue backend, with the reminder engine's
 * harness: a worker process runs the hand-over notifier and the delivery worker and is killed (SIGKILL) at an exact
 * step of one task's notices; a fresh worker takes over. Every hand-over kind's notice reaches each channel that
 * takes it exactly once — the ledger records it once, and the receivers get it once — but for the one case no worker
 * can tell: killed after a webhook took a notice and before the ledger said so, that notice is sent again, with the
 * same delivery id (a receiver drops what it has seen by that id). Notices are sent in batches, a job per channel's
 * batch; killed in the middle of one, the batch's job runs again and sends only what the ledger does not say it sent.
 * A batch the worker was sending at once, without a job, is queued by the next worker's reconciliation (here without
 * the grace a live worker gets to finish it) and goes out the same way.
 */
const NOW = '2030-06-01T10:00:00+08:00';

const STEPS: Array<[WorkerStep, string]> = [
  ['notices-recorded', 'after writing them to the ledger, before queuing them'],
  ['notices-queued', 'after queuing them, before saving its checkpoint'],
  ['notice-sent', 'after a webhook took one, before the ledger marks it delivered'],
  ['notice-delivered', 'after the ledger marks one delivered, before BullMQ hears that its job finished'],
  ['notice-sent-at-once', 'sending a batch at once, after a webhook took one, before the ledger marks it delivered'],
  ['notice-delivered-at-once', 'sending a batch at once, after the ledger marks one delivered, before the rest'],
];

/**
 * The notices of the task `everyHandOver` leads through every hand-over, as `kind → channel`: 原单位 (the first
 * lead unit) has a JSON webhook and an e-mail address that take everything; 新单位 (the lead unit after the
 * reassignment) the same, and a DingTalk group that takes new tasks and send-backs; the inspection office a webhook
 * and an address that take what it must check.
 */
const EXPECTED = [
  ...['assigned', 'reassigned_away'].flatMap((kind) => [`${kind} → /first`, `${kind} → first@example.cn`]),
  ...['assigned', 'extension_refused', 'extension_approved', 'sent_back', 'reopened'].flatMap((kind) => [
    `${kind} → /second`,
    `${kind} → second@example.cn`,
  ]),
  'assigned → /dingtalk',
  'sent_back → /dingtalk',
  ...['extension_requested', 'extension_requested', 'submitted', 'submitted'].flatMap((kind) => [
    `${kind} → /office`,
    `${kind} → office@example.cn`,
  ]),
].sort();

const channelOf = (address: ChannelAddress): string =>
  address.kind === 'email' ? address.address : new URL(address.url).pathname;

const KIND_OF_LABEL = new Map(Object.entries(NOTICE_LABELS).map(([kind, label]) => [label, kind]));
/** A robot message's or an e-mail's kind, from the 【label】 its title starts with. */
const kindOfTitle = (title: string): string | undefined => KIND_OF_LABEL.get(/^【(.+?)】/.exec(title)?.[1] ?? '');

describe.each(queueBackends())('hand-over notices when the worker is killed mid-way (%s)', (_name, backendOf) => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let receivers: Receivers;
  let commands: WorkerCommands;
  let runner: ProjectionRunner;
  let env: Record<string, string>;
  let backend: QueueBackend;
  let engine: ReminderEngine | undefined;
  const clock = new ManualClock(NOW);
  const office = randomUUID();
  const first = randomUUID();
  const second = randomUUID();
  const regionId = randomUUID();
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: office };
  const unitUser: Actor = { userId: randomUUID(), username: 'unit', role: 'unit', unitId: second };

  beforeAll(async () => {
    database = await createTestDatabase();
    receivers = await closedAfterThisFile(startReceivers(), (r) => r.close());
    env = {
      DATABASE_URL: database.url,
      SMTP_URL: receivers.smtpUrl,
      MAIL_FROM: '督查室 <duchashi@example.gov.cn>',
      PUBLIC_URL: 'https://zhenggai.example.gov.cn',
    };
    infra = await closedAfterThisFile(
      startInfrastructure(loadConfig({ ...env, JWT_SECRET: 'notices-kill-secret-long-enough-0123456789' }), { clock }),
      (opened) => opened.close(),
    );
    await directoryFixtures.region(infra, { id: regionId, code: '341225102201', name: '蔡郢村', level: 'village' });
    await directoryFixtures.category(infra, { code: 'dangerous-housing', name: '危房改造' });
    const { webhookUrl } = receivers;
    const mail = (address: string, takes?: UnitChannel['takes']): UnitChannel => ({
      kind: 'email',
      address,
      audience: 'unit',
      ...(takes ? { takes } : {}),
    });
    await directoryFixtures.unit(infra, {
      id: first,
      name: '王堰镇人民政府',
      regionId,
      channels: [
        { kind: 'webhook', url: `${webhookUrl}/first`, format: 'json', audience: 'unit' },
        mail('first@example.cn'),
      ],
    });
    await directoryFixtures.unit(infra, {
      id: second,
      name: '蔡郢村民委员会',
      regionId,
      channels: [
        { kind: 'webhook', url: `${webhookUrl}/second`, format: 'json', audience: 'unit' },
        {
          kind: 'webhook',
          url: `${webhookUrl}/dingtalk?access_token=t0k3n`,
          format: 'dingtalk',
          secret: 'SEC-test',
          audience: 'unit',
          takes: ['assigned', 'sent_back'],
        },
        mail('second@example.cn'),
      ],
    });
    const toCheck: UnitChannel['takes'] = ['submitted', 'extension_requested'];
    await directoryFixtures.unit(infra, {
      id: office,
      name: '县委督查室',
      regionId,
      channels: [
        { kind: 'webhook', url: `${webhookUrl}/office`, format: 'json', audience: 'unit', takes: toCheck },
        mail('office@example.cn', toCheck),
      ],
    });
    await registerActors(infra, [
      [inspector, '李督查'],
      [unitUser, '陈办事员'],
    ]);
    ({ commands, runner } = await workerCommandsWithTasks(infra));
  });

  beforeEach(() => {
    backend = backendOf(database.url);
  });

  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    await obliterateQueues(backend);
  });

  afterAll(async () => {
    await runner?.stop();
    await infra?.close();
    await receivers?.close();
    await database?.drop();
  });

  /**
   * A task led through every hand-over while no worker runs: assigned to 原单位, reassigned to 新单位, an extension
   * requested and refused, another requested and approved, submitted and sent back, submitted again, verified, and
   * reopened. Answers its id.
   */
  async function everyHandOver(): Promise<string> {
    const taskId = await assignedTask(infra, inspector, { regionId, leadUnitId: first, deadline: '2030-09-30' });
    const deps = useCaseDeps(infra);
    const by = (actor: Actor, command: Omit<TaskLifecycleCommand, 'metadata'>) =>
      executeTaskCommand(deps, taskId, {
        ...command,
        metadata: { actor, now: clock.now().toISOString(), correlationId: randomUUID() },
      } as TaskLifecycleCommand);
    const [refused, approved] = [randomUUID(), randomUUID()];
    const submission = { report: '已拆除重建', evidence: [{ ref: 'photos/after.jpg' }], quantityDone: null };
    await by(inspector, {
      type: 'ReassignRectificationTask',
      data: { leadUnitId: second, cooperatingUnitIds: [], reason: '属地调整' },
    });
    await by(unitUser, { type: 'AcceptRectificationTask', data: {} });
    await by(unitUser, {
      type: 'RequestDeadlineExtension',
      data: { requestId: refused, requestedDeadline: '2030-10-15', reason: '汛期' },
    });
    await by(inspector, { type: 'RefuseDeadlineExtension', data: { requestId: refused, reason: '不能延期' } });
    await by(unitUser, {
      type: 'RequestDeadlineExtension',
      data: { requestId: approved, requestedDeadline: '2030-10-31', reason: '材料未到' },
    });
    await by(inspector, { type: 'ApproveDeadlineExtension', data: { requestId: approved } });
    await by(unitUser, { type: 'RecordRectificationPlan', data: { plan: '一户一方案' } });
    await by(unitUser, { type: 'SubmitRectification', data: submission });
    await by(inspector, { type: 'SendBackRectification', data: { reason: '缺少拆除后照片' } });
    await by(unitUser, { type: 'SubmitRectification', data: submission });
    await by(inspector, { type: 'VerifyRectification', data: { note: null } });
    await by(inspector, {
      type: 'ReopenRectificationTask',
      data: { reason: '回头看发现反弹', deadline: '2030-11-30' },
    });
    return taskId;
  }

  const ledgerOf = (taskId: string): Promise<Delivery[]> => infra.deliveries.list({ taskId });
  const labelOf = (d: Delivery) => `${d.message.level} → ${channelOf(d.address)}`;

  /** Every arrival of the task's notices at the receivers, as `kind → channel`, with its delivery id if it says it. */
  function arrivalsOf(taskId: string): Array<{ label: string; deliveryId?: string }> {
    const { webhooks, mails } = receivers.received;
    return [
      ...webhooks
        .filter((w) => w.body.type === 'zhenggai.notice' && w.body.taskId === taskId)
        .map((w) => ({ label: `${w.body.level} → ${w.path}`, deliveryId: w.body.deliveryId as string })),
      ...webhooks
        .filter((w) => w.path.startsWith('/dingtalk') && JSON.stringify(w.body).includes(taskId))
        .flatMap((w) => dingTalkNotices(w.body.markdown))
        .filter((notice) => notice.text.includes(`/tasks/${taskId}`))
        .map((notice) => ({ label: `${kindOfTitle(notice.headline)} → /dingtalk` })),
      ...mails
        .filter((m) => m.text?.includes(taskId))
        .map((m) => ({ label: `${kindOfTitle(m.subject ?? '')} → ${(m.to as { text: string }).text}` })),
    ];
  }

  const jobCounts = async (queues: JobQueues) =>
    queues.queue(NOTIFICATIONS_QUEUE).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  it.each(STEPS)('loses and repeats no notice when killed at %s (%s)', async (step) => {
    const taskId = await everyHandOver();
    const stopped = await killedAt(step, { backend, now: NOW, env, taskId });

    // Where the kill left the task's notices.
    const probe = new JobQueues(backend);
    try {
      const ledger = await ledgerOf(taskId);
      const counts = await jobCounts(probe);
      const arrivals = arrivalsOf(taskId);
      switch (step) {
        case 'notices-recorded':
          expect(ledger.length).toBe(stopped.recorded);
          expect(ledger.every((d) => d.status === 'pending')).toBe(true);
          expect(total(counts)).toBe(0);
          expect(arrivals).toEqual([]);
          break;
        case 'notices-queued':
          expect(ledger.every((d) => d.status === 'pending')).toBe(true);
          expect(total(counts)).toBe(stopped.queued);
          expect(arrivals).toEqual([]);
          break;
        case 'notice-sent':
          expect(ledger.find((d) => d.id === stopped.deliveryId)?.status).toBe('pending');
          expect(arrivals.filter((a) => a.deliveryId === stopped.deliveryId)).toHaveLength(1);
          expect(counts.active).toBe(1);
          break;
        case 'notice-delivered':
        case 'notice-delivered-at-once': {
          // Killed in the middle of a batch: its first row delivered, the rest not sent yet.
          const sent = ledger.find((d) => d.id === stopped.deliveryId)!;
          expect(sent.status).toBe('delivered');
          expect(ledger.filter((d) => d.batch === sent.batch && d.status === 'pending').length).toBeGreaterThan(0);
          // Sent at once, no job has the batch, and the other batches wait in the queue.
          if (step === 'notice-delivered') expect(counts.active).toBe(1);
          else expect(counts).toMatchObject({ active: 0, waiting: new Set(ledger.map((d) => d.batch)).size - 1 });
          break;
        }
        case 'notice-sent-at-once':
          expect(ledger.find((d) => d.id === stopped.deliveryId)?.status).toBe('pending');
          expect(arrivals.filter((a) => a.deliveryId === stopped.deliveryId)).toHaveLength(1);
          expect(counts).toMatchObject({ active: 0, waiting: new Set(ledger.map((d) => d.batch)).size - 1 });
          break;
      }
    } finally {
      await probe.close();
    }

    // A fresh worker takes over. Its notifier first, alone (the reconciliation, when the worker starts, would queue
    // a pending delivery too): from its checkpoint it handles the dead one's batch again, and queues every notice
    // still pending once.
    const queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, { queues, ...QUICK_RECOVERY });
    const last = (await infra.eventStore.readStream(taskStreamName(taskId))).at(-1)!.position;
    await engine.notifier.start();
    await checkpointReaches(new PostgresCheckpointStore(infra.pool), engine.notifier.name, last); // caught up
    await engine.notifier.stop();
    if (step === 'notices-recorded' || step === 'notices-queued') {
      const pending = (await ledgerOf(taskId)).filter((d) => d.status === 'pending');
      expect(pending).toHaveLength(EXPECTED.length);
      // One job per batch, each batch one channel's notices: 30 notices to 7 channels are 7 jobs, or a few more if
      // the notifier read the task's events in more than one batch.
      const batches = new Set(pending.map((d) => d.batch));
      expect(total(await jobCounts(queues))).toBe(batches.size);
      expect(batches.size).toBeLessThan(EXPECTED.length / 2);
    }
    // Then the whole of it: the delivery worker runs the dead one's jobs, a stalled one again.
    await engine.start();
    await waitFor(
      'every notice to be delivered',
      async () => {
        const ledger = await ledgerOf(taskId);
        return ledger.length === EXPECTED.length && ledger.every((d) => d.status === 'delivered');
      },
      90_000,
    );
    await waitFor('the delivery jobs to be done', async () => total(await jobCounts(queues)) === 0, 60_000);

    const ledger = await ledgerOf(taskId);
    expect(ledger.map(labelOf).sort()).toEqual(EXPECTED);
    // Sent again: only the notice a webhook took from the killed worker before the ledger could say so.
    const resent = step === 'notice-sent' || step === 'notice-sent-at-once';
    const again = ledger.filter((d) => resent && d.id === stopped.deliveryId);
    expect(again).toHaveLength(resent ? 1 : 0);
    const arrivals = arrivalsOf(taskId);
    expect(arrivals.map((a) => a.label).sort()).toEqual([...EXPECTED, ...again.map(labelOf)].sort());
    // Each JSON webhook's arrival carries its delivery id: one per ledger row, the resent one twice.
    const ids = arrivals.flatMap((a) => (a.deliveryId ? [a.deliveryId] : []));
    const json = ledger.filter((d) => d.address.kind === 'webhook' && d.address.format === 'json');
    expect(ids.sort()).toEqual([...json.map((d) => d.id), ...again.map((d) => d.id)].sort());
  });
});
