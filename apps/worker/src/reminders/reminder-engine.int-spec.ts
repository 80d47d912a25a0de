import { assignTask, executeTaskCommand, fileFinding, ManualClock, StoredEvent } from '@zhenggai/application';
import { Actor, taskStreamName } from '@zhenggai/domain';
import { directoryFixtures, Infrastructure, loadConfig, startInfrastructure, useCaseDeps } from '@zhenggai/platform';
import { PostgresCheckpointStore, ProjectionRunner } from '@zhenggai/postgres';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { JobQueues, NOTIFICATIONS_QUEUE, QueueBackend, REMINDERS_QUEUE } from '@zhenggai/platform';
import { ReminderEngine } from './reminder-engine';
import { REMINDER_SCHEDULER } from './reminder-scheduler.reactor';
import { WorkerCommands } from '../commands/worker-command';
import { reminderEngineOf } from '../worker.module';
import { tasksReadModelCaughtUp } from './tasks-caught-up';
import { checkpointReaches } from '../../../../test/support/checkpoint-reaches';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { assignedTask, obliterateQueues, queueBackends, waitFor } from '../../../../test/support/queue-backends';
import { Receivers, startReceivers } from './testing/receivers';
import { registerActors, workerCommandsWithTasks } from './testing/worker-setup';
import { killedAt, QUICK_RECOVERY } from './testing/worker-process';

const ASSIGNED_AT = '2030-06-01T10:00:00+08:00';

// -------------------------------------------------------------------------------------------------- the suite

describe.each(queueBackends())('reminders and escalation on BullMQ (%s)', (name, backendOf) => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let receivers: Receivers;
  let engine: ReminderEngine;
  let queues: JobQueues;
  let runner: ProjectionRunner;
  let commands: WorkerCommands;
  let backend: QueueBackend;
  const clock = new ManualClock(ASSIGNED_AT);
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null };
  const unitUser: Actor = { userId: randomUUID(), username: 'unit', role: 'unit', unitId: randomUUID() };
  const leader: Actor = { userId: randomUUID(), username: 'leader', role: 'leader', unitId: null };
  const regionId = randomUUID();

  const meta = (actor: Actor) => ({ actor, now: clock.now().toISOString(), correlationId: randomUUID() });

  beforeAll(async () => {
    database = await createTestDatabase();
    receivers = await closedAfterThisFile(startReceivers(), (r) => r.close());
    infra = await closedAfterThisFile(
      startInfrastructure(
        loadConfig({
          DATABASE_URL: database.url,
          JWT_SECRET: 'reminder-test-secret-long-enough-0123456789',
          SMTP_URL: receivers.smtpUrl,
          MAIL_FROM: '督查室 <duchashi@example.gov.cn>',
          PUBLIC_URL: 'https://zhenggai.example.gov.cn',
        }),
        { clock },
      ),
      (opened) => opened.close(),
    );
    await directoryFixtures.region(infra, { id: regionId, code: '341225102201', name: '蔡郢村', level: 'village' });
    await directoryFixtures.category(infra, { code: 'dangerous-housing', name: '危房改造' });
    await directoryFixtures.unit(infra, {
      id: unitUser.unitId!,
      name: '王堰镇人民政府',
      regionId,
      headName: '张镇长',
      channels: [
        // The ladder's messages: the hand-over notices have a test of their own (test/e2e/notices.e2e-spec.ts).
        {
          kind: 'webhook',
          url: `${receivers.webhookUrl}/generic`,
          format: 'json',
          audience: 'unit',
          takes: ['reminder', 'escalation'],
        },
        {
          kind: 'webhook',
          url: `${receivers.webhookUrl}/dingtalk?access_token=t0k3n`,
          format: 'dingtalk',
          secret: 'SEC-test',
          audience: 'unit',
          takes: ['reminder', 'escalation'],
        },
        { kind: 'email', address: 'zhangzhen@wangyan.example.gov.cn', audience: 'head' },
      ],
    });
    await registerActors(infra, [
      [inspector, '李督查'],
      [unitUser, '陈办事员'],
      [leader, '王书记'],
    ]);
    ({ commands, runner } = await workerCommandsWithTasks(infra));
  });

  beforeEach(async () => {
    backend = backendOf(database.url);
    queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, { queues, ...QUICK_RECOVERY });
    await engine.start();
  });

  afterEach(async () => {
    await engine.stop();
    await obliterateQueues(backend);
  });

  afterAll(async () => {
    await runner?.stop();
    await infra?.close();
    await receivers?.close();
    await database?.drop();
  });

  async function newTask(deadline: string): Promise<string> {
    clock.set(ASSIGNED_AT);
    return assignedTask(infra, inspector, { regionId, leadUnitId: unitUser.unitId!, deadline });
  }

  /**
   * Returns once the running engine's scheduler has handled the task's assignment (its checkpoint is past it), by the
   * clock of the assignment: nothing is owed within the horizon yet. A scheduler that meets the assignment only after a
   * test moved the clock records the levels already due itself, at once, and the job a test watches finds nothing
   * owed: on a busy machine a restarted engine's scheduler read it after `at` had moved the clock.
   */
  async function seenByScheduler(taskId: string): Promise<void> {
    const assigned = (await infra.eventStore.readStream(taskStreamName(taskId))).find(
      (e) => e.type === 'RectificationTaskAssigned',
    )!;
    await checkpointReaches(new PostgresCheckpointStore(infra.pool), REMINDER_SCHEDULER, assigned.position);
  }

  async function jobsOf(taskId: string) {
    const jobs = await queues.queue(REMINDERS_QUEUE).getJobs(['delayed', 'waiting', 'active', 'prioritized']);
    return jobs.filter((j) => j?.data?.taskId === taskId);
  }

  const ladderEvents = async (taskId: string): Promise<StoredEvent[]> =>
    (await infra.eventStore.readStream(taskStreamName(taskId))).filter(
      (e) => e.type === 'RectificationTaskReminded' || e.type === 'RectificationTaskEscalated',
    );

  /**
   * Moves the clock, lets the reconciliation queue what has come within the horizon (its repeatable job does so
   * every few minutes), and lets every queued job run now: each re-checks against the clock and the task.
   * Returns once none is waiting or running any more, so what the jobs did not record by then they will not.
   */
  async function at(instant: string): Promise<void> {
    clock.set(instant);
    await engine.reconciliation.run();
    await queues.queue(REMINDERS_QUEUE).promoteJobs();
    await waitFor('the due jobs to have run', async () =>
      idle(await queues.queue(REMINDERS_QUEUE).getJobCounts('waiting', 'active', 'prioritized')),
    );
  }

  /** Returns once every delivery of the task is delivered and no delivery job is left: nothing more will be sent. */
  async function deliveriesSettled(taskId: string): Promise<void> {
    await waitFor('the deliveries to be sent', async () =>
      (await infra.deliveries.list({ taskId })).every((d) => d.status === 'delivered'),
    );
    await waitFor('the delivery jobs to be done', async () =>
      idle(await queues.queue(NOTIFICATIONS_QUEUE).getJobCounts('waiting', 'active', 'prioritized', 'delayed')),
    );
  }

  const idle = (counts: Record<string, number>) => Object.values(counts).every((n) => n === 0);

  it('queues a level only once it comes within the horizon: an assignment weeks ahead queues nothing yet', async () => {
    const later = await newTask('2030-06-30');
    // A task due today owes its 到期提醒 at once: when it is recorded, the scheduler has seen both assignments.
    clock.set('2030-06-01T10:00:00+08:00');
    const deps = useCaseDeps(infra);
    const finding = await fileFinding(
      deps,
      {
        title: '道路破损',
        description: '村道坑洼',
        regionId,
        category: 'dangerous-housing',
        severity: 'low',
        source: '督查组',
        evidence: [],
      },
      meta(inspector),
    );
    const today = await assignTask(
      deps,
      {
        findingId: finding.id,
        leadUnitId: unitUser.unitId!,
        cooperatingUnitIds: [],
        deadline: '2030-06-01',
        measures: '当日修复',
        target: null,
        campaignId: null,
        title: null,
      },
      meta(inspector),
    );
    const [dueToday] = await waitFor(
      'the 到期提醒 of the task due today',
      async () => (await ladderEvents(today.id)).length === 1 && ladderEvents(today.id),
    );
    expect(dueToday!.data).toMatchObject({ level: 'due_today' });
    expect(await jobsOf(later)).toEqual([]);
    await executeTaskCommand(deps, today.id, {
      type: 'CancelRectificationTask',
      data: { reason: '重复交办' },
      metadata: meta(inspector),
    });
    await waitFor(
      'the cancelled task in the read model',
      async () =>
        (
          await infra.pool.query(
            `SELECT 1 FROM read_models.task_states WHERE task_id = $1 AND state->>'status' = 'cancelled'`,
            [today.id],
          )
        ).rowCount === 1,
    );

    clock.set('2030-06-27T08:30:00+08:00'); // half an hour before its 提醒
    expect((await engine.reconciliation.run()).remindersRequeued).toBe(1);
    expect((await jobsOf(later)).map((j) => j.data.level)).toEqual(['reminder']);
    expect((await engine.reconciliation.run()).remindersRequeued).toBe(0); // nothing is queued twice
  });

  it('leaves the levels to the scheduler while the task views catch up, and reconciles once they have', async () => {
    // given a task whose 提醒 comes within the horizon, and task views that stopped before the store's last event;
    // the engine started for this test is stopped first, so that neither its scheduler (reading the assignment late
    // on a busy machine) nor its own first reconciliation queues a level once the clock has moved: only the
    // reconciliation under test does
    await engine.stop();
    const taskId = await newTask('2030-06-30');
    await runner.stop();
    await assignedTask(
      infra,
      inspector,
      { regionId, leadUnitId: unitUser.unitId!, deadline: '2030-07-31' },
      {
        inReadModel: false,
      },
    );
    const strict = reminderEngineOf(infra, commands, {
      queues,
      tasksCaughtUp: tasksReadModelCaughtUp(infra.pool, undefined, 1),
    });
    clock.set('2030-06-27T08:30:00+08:00');
    // when the reconciliation runs, nothing is queued from the views' part of the tasks
    expect(await strict.reconciliation.run()).toMatchObject({ tasksBehind: true, openTasks: 0, remindersRequeued: 0 });
    expect(await jobsOf(taskId)).toEqual([]);
    // then once they have caught up, it queues what is owed
    await runner.start();
    await waitFor('the task views to catch up', () => tasksReadModelCaughtUp(infra.pool, undefined, 1)());
    // (the count includes the level of the first test's task still open: the queues are emptied after each test)
    const caughtUp = await strict.reconciliation.run();
    expect(caughtUp.tasksBehind).toBe(false);
    expect(caughtUp.remindersRequeued).toBeGreaterThanOrEqual(1);
    expect((await jobsOf(taskId)).map((j) => j.data.level)).toEqual(['reminder']);
  });

  it('fires each level once at its time, to the right people, and delivers it by webhook and e-mail', async () => {
    const taskId = await newTask('2030-06-30');

    await at('2030-06-27T08:59:00+08:00'); // a minute early: nothing is sent, the jobs go back to waiting
    expect(await ladderEvents(taskId)).toEqual([]);
    expect(await Promise.all((await jobsOf(taskId)).map((j) => j.getState()))).toEqual(['delayed']);

    await at('2030-06-27T09:00:01+08:00');
    const [reminded] = await waitFor(
      '提醒',
      async () => (await ladderEvents(taskId)).length === 1 && ladderEvents(taskId),
    );
    expect(reminded).toMatchObject({
      type: 'RectificationTaskReminded',
      data: {
        reminderId: '0:reminder',
        level: 'reminder',
        label: '提醒',
        deadline: '2030-06-30',
        dueAt: '2030-06-27T01:00:00.000Z',
        policy: { id: 'default', version: 1 },
      },
      metadata: { actor: { username: 'system', role: 'system' } },
    });
    expect(reminded!.data.recipients).toEqual([
      { role: 'unit', kind: 'unit', id: unitUser.unitId, name: '王堰镇人民政府' },
      { role: 'unit', kind: 'user', id: unitUser.userId, name: '陈办事员' },
    ]);

    const webhooks = await waitFor(
      'both webhooks',
      async () =>
        receivers.received.webhooks.filter((w) => w.body.taskId === taskId || JSON.stringify(w.body).includes(taskId))
          .length >= 2 && receivers.received.webhooks,
    );
    const generic = webhooks.find((w) => w.path === '/generic' && w.body.taskId === taskId)!;
    expect(generic.body).toMatchObject({
      type: 'zhenggai.reminder',
      level: 'reminder',
      levelLabel: '提醒',
      kind: 'reminder',
      deadline: '2030-06-30',
      daysToDeadline: 3,
      unitName: '王堰镇人民政府',
      regionName: '蔡郢村',
      link: `https://zhenggai.example.gov.cn/tasks/${taskId}`,
    });
    const dingtalk = webhooks.find((w) => w.path.startsWith('/dingtalk') && JSON.stringify(w.body).includes(taskId))!;
    expect(dingtalk.path).toMatch(/access_token=t0k3n&timestamp=\d+&sign=/);
    expect(dingtalk.body).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: expect.stringContaining('【提醒】') },
    });

    // Promoted again and again (a retry, a duplicate): still once, and no second delivery.
    const duplicate = await queues
      .queue(REMINDERS_QUEUE)
      .add(
        'fire',
        { taskId, deadlineVersion: 0, level: 'reminder', dueAt: reminded!.data.dueAt },
        { jobId: `duplicate-${taskId}` },
      );
    await at('2030-06-27T12:00:00+08:00');
    expect(await duplicate.getState()).toBe('completed');
    expect((await queues.queue(REMINDERS_QUEUE).getJob(duplicate.id!))!.returnvalue).toBe('not-owed');
    await deliveriesSettled(taskId);
    expect(await ladderEvents(taskId)).toHaveLength(1);
    expect(receivers.received.webhooks.filter((w) => w.path === '/generic' && w.body.taskId === taskId)).toHaveLength(
      1,
    );

    // 催办 the day after the deadline goes to the unit's head (e-mail) and the assigning inspector's inbox.
    await at('2030-07-01T09:00:01+08:00');
    const urged = await waitFor('催办', async () => (await ladderEvents(taskId)).find((e) => e.data.level === 'urge'));
    expect(urged.type).toBe('RectificationTaskEscalated');
    expect(urged.data.recipients).toEqual(
      expect.arrayContaining([
        { role: 'unit_head', kind: 'unit', id: unitUser.unitId, name: '王堰镇人民政府（张镇长）' },
        { role: 'assigning_office', kind: 'user', id: inspector.userId, name: '李督查' },
      ]),
    );
    // due_today was overtaken while nobody ran it (the clock jumped past it): it is not sent late.
    expect((await ladderEvents(taskId)).map((e) => e.data.level)).toEqual(['reminder', 'urge']);
    const mail = await waitFor('the 催办 e-mail', async () =>
      receivers.received.mails.find((m) => m.text?.includes(taskId) || m.html?.toString().includes(taskId)),
    );
    expect(mail.subject).toContain('【催办】');
    expect(mail.subject).toContain('危房未改造');
    expect((mail.to as { text: string }).text).toContain('zhangzhen@wangyan.example.gov.cn');
  });

  it('moves the remaining levels when an extension is approved, and drops them all when the task closes', async () => {
    const taskId = await newTask('2030-06-30');
    await at('2030-06-27T08:30:00+08:00'); // the 提醒 is queued (and, run early, waits for its time)
    expect((await jobsOf(taskId)).map((j) => j.id)).toEqual([expect.stringContaining('_0_reminder')]);
    const deps = useCaseDeps(infra);
    await executeTaskCommand(deps, taskId, { type: 'AcceptRectificationTask', data: {}, metadata: meta(unitUser) });
    await executeTaskCommand(deps, taskId, {
      type: 'RequestDeadlineExtension',
      data: { requestId: randomUUID(), requestedDeadline: '2030-07-31', reason: '汛期' },
      metadata: meta(unitUser),
    });
    const pending = (await infra.eventStore.readStream(taskStreamName(taskId))).find(
      (e) => e.type === 'RectificationTaskExtensionRequested',
    )!;
    await executeTaskCommand(deps, taskId, {
      type: 'ApproveDeadlineExtension',
      data: { requestId: pending.data.requestId as string },
      metadata: meta(inspector),
    });

    await waitFor("the old deadline's job to be dropped", async () => (await jobsOf(taskId)).length === 0);
    // The reconciliation queues levels from the read model: it has to know the new deadline first.
    await waitFor(
      'the new deadline in the read model',
      async () =>
        (
          await infra.pool.query(
            `SELECT 1 FROM read_models.task_states WHERE task_id = $1 AND state->>'deadline' = '2030-07-31'`,
            [taskId],
          )
        ).rowCount === 1,
    );
    await at('2030-06-30T09:00:01+08:00'); // the old deadline's day: nothing is owed any more
    expect(await jobsOf(taskId)).toEqual([]);
    expect(await ladderEvents(taskId)).toEqual([]);
    await at('2030-07-28T09:00:01+08:00');
    const [reminded] = await waitFor(
      'the moved 提醒',
      async () => (await ladderEvents(taskId)).length === 1 && ladderEvents(taskId),
    );
    expect(reminded!.data).toMatchObject({ reminderId: '1:reminder', deadline: '2030-07-31', deadlineVersion: 1 });

    await executeTaskCommand(deps, taskId, {
      type: 'CancelRectificationTask',
      data: { reason: '重复交办' },
      metadata: meta(inspector),
    });
    await waitFor('the jobs to be dropped', async () => (await jobsOf(taskId)).length === 0);
    await at('2030-08-08T09:00:01+08:00');
    expect(await jobsOf(taskId)).toEqual([]);
    expect(await ladderEvents(taskId)).toHaveLength(1);
  });

  it('records a level once when the worker dies after recording it and the job runs again', async () => {
    const taskId = await newTask('2030-06-30');
    await seenByScheduler(taskId); // so the level falls to the job under test
    await engine.stop();
    // A worker that records the level, then dies before BullMQ hears the job finished: the job runs again.
    queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, { queues, ...QUICK_RECOVERY });
    const record = engine.firing.process.bind(engine.firing);
    let crashes = 0;
    engine.firing.process = async (job, token) => {
      const outcome = await record(job, token);
      if (outcome === 'recorded' && crashes++ === 0) throw new Error('worker died after the append');
      return outcome;
    };
    await engine.start();
    await at('2030-06-27T09:00:01+08:00');
    await waitFor(
      'the retried job',
      async () => crashes >= 1 && (await jobsOf(taskId)).filter((j) => j.data.level === 'reminder').length === 0,
      20_000,
    );
    expect((await ladderEvents(taskId)).map((e) => e.data.reminderId)).toEqual(['0:reminder']);
    await waitFor(
      'the deliveries',
      async () => (await infra.deliveries.list({ taskId })).filter((d) => d.status === 'delivered').length === 2,
    );
    expect(await infra.deliveries.list({ taskId })).toHaveLength(2);
  });

  it('sends nothing twice and loses nothing when the worker process is killed in the middle of a job', async () => {
    const taskId = await newTask('2030-06-30');
    await seenByScheduler(taskId); // so the level falls to the job under test
    clock.set('2030-06-27T08:30:00+08:00');
    await engine.reconciliation.run(); // the 提醒 comes within the horizon
    await engine.stop();
    const producer = new JobQueues(backend);
    await producer.queue(REMINDERS_QUEUE).promoteJobs();
    await producer.close();

    // Another process takes the due job, records the level and is killed before it can finish the job.
    const stopped = await killedAt('level-recorded', {
      backend,
      now: '2030-06-27T09:00:01+08:00',
      env: { DATABASE_URL: database.url },
    });
    expect(stopped.recorded).toBe('0:reminder');
    expect((await ladderEvents(taskId)).map((e) => e.data.reminderId)).toEqual(['0:reminder']);

    // Restarted, the worker finds the dead one's job stalled, runs it again, and it records nothing more.
    clock.set('2030-06-27T09:00:01+08:00');
    queues = new JobQueues(backend);
    engine = reminderEngineOf(infra, commands, { queues, ...QUICK_RECOVERY });
    await engine.start();
    await waitFor(
      'the stalled job to be finished',
      async () => {
        const jobs = await jobsOf(taskId);
        return jobs.every((j) => j.data.level !== 'reminder');
      },
      30_000,
    );
    await waitFor(
      'the deliveries',
      async () => (await infra.deliveries.list({ taskId })).filter((d) => d.status === 'delivered').length === 2,
    );
    await deliveriesSettled(taskId);
    expect((await ladderEvents(taskId)).map((e) => e.data.reminderId)).toEqual(['0:reminder']);
    expect(await infra.deliveries.list({ taskId })).toHaveLength(2);
    expect(receivers.received.webhooks.filter((w) => JSON.stringify(w.body).includes(taskId))).toHaveLength(2);
  });

  it('restores every missing job by reconciliation after the queue lost its data', async () => {
    const taskId = await newTask('2030-06-30');
    await waitFor(
      'the task in the read model',
      async () =>
        (await infra.pool.query('SELECT 1 FROM read_models.task_states WHERE task_id = $1', [taskId])).rowCount === 1,
    );
    await seenByScheduler(taskId); // only a reconciliation queues the level
    await engine.stop();
    await obliterateQueues(backend); // a Redis that lost its data (or a dropped queue schema)
    queues = new JobQueues(backend);
    expect(await jobsOf(taskId)).toEqual([]);
    engine = reminderEngineOf(infra, commands, { queues, ...QUICK_RECOVERY });
    await engine.start();

    clock.set('2030-06-27T08:00:00+08:00');
    await engine.reconciliation.run();
    // Restored by this run, or a moment before by the engine's own repeatable reconciliation, put back at start:
    // only a reconciliation can, since the scheduler's checkpoint did not move.
    expect((await jobsOf(taskId)).map((j) => j.data.level)).toContain('reminder');
    expect((await engine.reconciliation.run()).remindersRequeued).toBe(0); // nothing is queued twice

    await at('2030-06-27T09:00:01+08:00');
    await waitFor('the restored 提醒', async () => (await ladderEvents(taskId)).length === 1);
  });

  // A PostgreSQL queue does not lose its rows while the database runs: this is Redis's own failure.
  (name === 'Redis' ? it : it.skip)(
    'reconciles on its own while running after Redis lost everything, its repeatable job included',
    async () => {
      const taskId = await newTask('2030-06-30');
      await waitFor(
        'the task in the read model',
        async () =>
          (await infra.pool.query('SELECT 1 FROM read_models.task_states WHERE task_id = $1', [taskId])).rowCount === 1,
      );
      await seenByScheduler(taskId); // only the reconciliation queues the level
      await engine.stop();
      queues = new JobQueues(backend);
      engine = reminderEngineOf(infra, commands, { queues, ...QUICK_RECOVERY, reconcileEveryMs: 1000 });
      await engine.start();
      clock.set('2030-06-27T08:00:00+08:00');

      await obliterateQueues(backend); // FLUSHALL, as far as this test's keys go, with the worker running
      await waitFor(
        'the reconciliation to run again by itself and queue the task',
        async () => (await jobsOf(taskId)).some((j) => j.data.level === 'reminder'),
        20_000,
      );
    },
  );
});
