import { Logger } from '@nestjs/common';
import {
  CatchUpTurns,
  Clock,
  digestTimeInForce,
  Directory,
  EventStore,
  NotificationChannel,
  UserRepository,
} from '@zhenggai/application';
import { PostgresCheckpointStore, PostgresDeliveries } from '@zhenggai/postgres';
import { TaskQueries } from '@zhenggai/read-models';
import { Pool } from 'pg';
import { WorkerCommands } from '../commands/worker-command';
import { DailyDigest, digestPattern } from './daily-digest';
import { WeeklyBulletins } from '../bulletins/weekly-bulletins';
import { DirectDelivery } from './direct-delivery';
import { DeliveryProcessor } from './delivery.processor';
import { outlastingStoreOutages } from './store-outage';
import { DeliveryJobs } from '@zhenggai/platform';
import { JobQueues, MAINTENANCE_QUEUE, NOTIFICATIONS_QUEUE, REMINDERS_QUEUE, shutdownStep } from '@zhenggai/platform';
import { HandOverNotifier } from './hand-over-notifier.reactor';
import { NotificationDispatcher } from './notification-dispatcher.reactor';
import { ReminderFiring } from './reminder-firing.processor';
import { ReminderJobs } from './reminder-jobs';
import { ReminderReconciliation } from './reminder-reconciliation';
import { ReminderScheduler } from './reminder-scheduler.reactor';
import { RecordDueRemindersCommand } from './record-due-reminders.command';
import { SYSTEM_ACTOR } from '@zhenggai/domain';
import type { TasksCaughtUp } from './tasks-caught-up';

/** How often the worker looks for weekly bulletins due. */
const BULLETIN_CHECK_MS = 60_000;

/** How often the worker looks whether the queue still has its jobs (a Redis restarted without its data has none). */
export const QUEUE_CHECK_MS = 5_000;

export interface ReminderEngineDeps {
  readonly queues: JobQueues;
  readonly pool: Pool;
  readonly store: EventStore;
  readonly directory: Directory;
  readonly users: UserRepository;
  readonly deliveries: PostgresDeliveries;
  readonly channels: readonly NotificationChannel[];
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly reconcileEveryMs: number;
  /** When the daily digest goes out while no admin has set it (`DIGEST_TIME`), HH:MM in Asia/Shanghai. */
  readonly digestTime: string;
  /** Where the firing of a level sends its command (the CommandBus). */
  readonly commands: WorkerCommands;
  /** Jobs processed at once per queue; default 8. */
  readonly concurrency?: number;
  /** How soon a job of a dead worker runs again (BullMQ's lock duration and stalled-job check, ms). */
  readonly lockDurationMs?: number;
  readonly deliveryRetry?: { readonly attempts: number; readonly backoffMs: number };
  /** How many messages of a batch a delivery job has on their way at once; default DELIVERY_LANES. */
  readonly deliveryLanes?: number;
  /**
   * Whether the reactions send the batches they have just recorded at once (`DirectDelivery`, the default), or queue
   * every batch.
   */
  readonly directDelivery?: boolean;
  /** How many batches are sent at once; default DIRECT_BATCHES. */
  readonly directBatches?: number;
  /** How long the ledger holds a batch sent at once before the reconciliation may queue it; default DIRECT_GRACE_MS. */
  readonly directGraceMs?: number;
  readonly stalledIntervalMs?: number;
  /** The process's turns at catching up, which the scheduler, dispatcher and notifier take when far behind. */
  readonly catchUpTurns?: CatchUpTurns;
  /** Whether the tasks read model has caught up: the reconciliation, the digest and the bulletins wait for it. */
  readonly tasksCaughtUp: TasksCaughtUp;
}

/**
 * The reminder and escalation ladder (DESIGN.md): scheduler and dispatcher follow the event store from their
 * checkpoints; BullMQ workers fire levels and deliver messages; a repeatable job reconciles the queue with
 * the read model. Several workers may run this at once: every step is idempotent.
 */
export class ReminderEngine {
  private readonly logger = new Logger('Reminders');
  readonly reminderJobs: ReminderJobs;
  readonly deliveryJobs: DeliveryJobs;
  readonly scheduler: ReminderScheduler;
  readonly dispatcher: NotificationDispatcher;
  readonly notifier: HandOverNotifier;
  readonly firing: ReminderFiring;
  readonly delivery: DeliveryProcessor;
  /** Sends at once the batches the reactions have just recorded (absent with `directDelivery: false`). */
  readonly direct: DirectDelivery | undefined;
  readonly reconciliation: ReminderReconciliation;
  readonly digest: DailyDigest;
  readonly bulletins: WeeklyBulletins;

  constructor(private readonly deps: ReminderEngineDeps) {
    const checkpoints = new PostgresCheckpointStore(deps.pool);
    this.reminderJobs = new ReminderJobs(deps.queues.queue(REMINDERS_QUEUE));
    this.deliveryJobs = new DeliveryJobs(deps.queues.queue(NOTIFICATIONS_QUEUE), deps.deliveryRetry);
    // Levels are queued this far ahead, by the scheduler and then by the reconciliation, which runs at least twice
    // within it, so each level is in the queue before it falls due even if one run fails.
    const horizonMs = Math.max(2 * deps.reconcileEveryMs, 3_600_000);
    this.scheduler = new ReminderScheduler(
      deps.store,
      checkpoints,
      this.reminderJobs,
      deps.clock,
      horizonMs,
      (levels) =>
        deps.commands.execute(
          new RecordDueRemindersCommand(
            { actor: SYSTEM_ACTOR, correlationId: levels[0]!.correlationId, causationId: null },
            levels,
          ),
        ),
    );
    this.delivery = new DeliveryProcessor(deps.deliveries, deps.channels, deps.deliveryLanes);
    this.direct =
      deps.directDelivery === false
        ? undefined
        : new DirectDelivery(this.delivery, this.deliveryJobs, deps.deliveries, {
            batches: deps.directBatches,
            graceMs: deps.directGraceMs,
          });
    this.dispatcher = new NotificationDispatcher(
      deps.store,
      checkpoints,
      deps.directory,
      deps.deliveries,
      this.deliveryJobs,
      deps.publicUrl,
      deps.clock,
      this.direct,
    );
    this.notifier = new HandOverNotifier(
      deps.store,
      checkpoints,
      deps.directory,
      deps.deliveries,
      this.deliveryJobs,
      deps.publicUrl,
      deps.clock,
      this.direct,
    );
    if (deps.catchUpTurns)
      for (const reactor of [this.scheduler, this.dispatcher, this.notifier]) reactor.catchUpIn(deps.catchUpTurns);
    this.firing = new ReminderFiring(deps.commands);
    this.reconciliation = new ReminderReconciliation(
      deps.pool,
      this.reminderJobs,
      deps.deliveries,
      this.deliveryJobs,
      deps.clock,
      horizonMs,
      deps.tasksCaughtUp,
      () => this.scheduler.caughtUp(),
    );
    this.digest = new DailyDigest({
      directory: deps.directory,
      users: deps.users,
      tasks: new TaskQueries(deps.pool),
      deliveries: deps.deliveries,
      jobs: this.deliveryJobs,
      clock: deps.clock,
      publicUrl: deps.publicUrl,
      store: deps.store,
      time: deps.digestTime,
      tasksCaughtUp: deps.tasksCaughtUp,
    });
    this.bulletins = new WeeklyBulletins({
      store: deps.store,
      directory: deps.directory,
      users: deps.users,
      deliveries: deps.deliveries,
      jobs: this.deliveryJobs,
      clock: deps.clock,
      publicUrl: deps.publicUrl,
      commands: deps.commands,
      tasksCaughtUp: deps.tasksCaughtUp,
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
    const { queues } = this.deps;
    const { lockDurationMs, stalledIntervalMs } = this.deps;
    const options = {
      concurrency: this.deps.concurrency ?? 8,
      ...(lockDurationMs ? { lockDuration: lockDurationMs } : {}),
      ...(stalledIntervalMs ? { stalledInterval: stalledIntervalMs } : {}),
    };
    queues.worker(
      REMINDERS_QUEUE,
      (job, token) => outlastingStoreOutages(job, token, () => this.firing.process(job as never, token)),
      options,
    );
    queues.worker(
      NOTIFICATIONS_QUEUE,
      (job, token) => outlastingStoreOutages(job, token, () => this.delivery.process(job as never, token)),
      options,
    );
    // The digest's own job sends it at its time; every reconciliation catches up a digest missed while down.
    queues.worker(
      MAINTENANCE_QUEUE,
      async (job) => {
        if (job.name === 'digest') return this.digest.runIfDue();
        // Every minute: the deliveries a worker that died was sending at once, the bulletins due, and a digest that
        // waited for the task views to catch up.
        if (job.name === 'bulletins') {
          await this.reconciliation
            .requeueDeliveries()
            .catch((error: Error) => this.logger.error(`deliveries left pending: ${error.message}`));
          await this.digest.runIfDue();
          return this.bulletins.runDue();
        }
        await this.reconciliation.run();
        const digests = await this.digest.runIfDue();
        await this.bulletins.runDue().catch((error: Error) => this.logger.error(`weekly bulletins: ${error.message}`));
        return digests;
      },
      { concurrency: 1 },
    );
    await queues.ready();
    await this.ensureReconciliationScheduled();
    await this.digest.runIfDue();
    await this.bulletins.runDue().catch((error: Error) => this.logger.error(`weekly bulletins: ${error.message}`));
    // The repeatable jobs live in the queue too: a Redis that lost its data lost them as well. They are put back (an
    // idempotent upsert) as often as the reconciliation runs, and what the queue had is queued again as soon as the
    // queue is found without them.
    this.rescheduling = setInterval(
      () => void this.ensureReconciliationScheduled().catch(() => undefined),
      this.deps.reconcileEveryMs,
    );
    this.rescheduling.unref();
    this.queueCheck = setInterval(
      () => {
        this.checkingQueue ??= this.recoverLostQueue()
          .catch(() => false)
          .finally(() => (this.checkingQueue = undefined));
      },
      Math.min(QUEUE_CHECK_MS, this.deps.reconcileEveryMs),
    );
    this.queueCheck.unref();
    await this.scheduler.start();
    await this.dispatcher.start();
    await this.notifier.start();
    this.logger.log(
      `reminders on BullMQ (${queues.backendName}), reconciling every ` +
        `${Math.round(this.deps.reconcileEveryMs / 1000)} s`,
    );
  }

  private rescheduling: NodeJS.Timeout | undefined;
  private queueCheck: NodeJS.Timeout | undefined;
  private stopping = false;
  private checkingQueue: Promise<boolean> | undefined;

  /**
   * Whether the queue has lost its jobs (a Redis restarted without its data, or flushed): its repeatable
   * reconciliation is gone. If so, puts the repeatable jobs back and runs the reconciliation at once, so the levels
   * owed and the deliveries pending are queued again now rather than at the next scheduled run. Answers whether it
   * found them lost. Looked at every QUEUE_CHECK_MS.
   */
  async recoverLostQueue(): Promise<boolean> {
    // Stopping: the queues may be closed, and a queue asked for then would open a connection that no one closes.
    if (this.stopping) return false;
    if (await this.deps.queues.queue(MAINTENANCE_QUEUE).getJobScheduler('reconcile-reminders')) return false;
    this.logger.warn('the job queue has lost its jobs (Redis restarted without its data?): queuing again what is owed');
    await this.ensureReconciliationScheduled();
    await this.reconciliation.run();
    return true;
  }

  /**
   * Puts the repeatable jobs (back) in the queue: the reconciliation, and the digest at the time in force, so that
   * an admin's new digest time takes effect within a reconcile interval.
   */
  private async ensureReconciliationScheduled(): Promise<void> {
    const { time } = await digestTimeInForce(this.deps.store, this.deps.digestTime);
    // Stopped meanwhile: the queues may be closed, and a queue asked for then would open a connection no one closes.
    if (this.stopping) return;
    await this.deps.queues
      .queue(MAINTENANCE_QUEUE)
      .upsertJobScheduler('reconcile-reminders', { every: this.deps.reconcileEveryMs }, { name: 'reconcile' });
    await this.deps.queues
      .queue(MAINTENANCE_QUEUE)
      .upsertJobScheduler('daily-digest', { pattern: digestPattern(time), tz: 'Asia/Shanghai' }, { name: 'digest' });
    // Weekly bulletins fall due at the times admins set: looked for every minute, each issued once (and a digest that
    // waited for the task views is sent by the same minute's job).
    await this.deps.queues
      .queue(MAINTENANCE_QUEUE)
      .upsertJobScheduler('weekly-bulletins', { every: BULLETIN_CHECK_MS }, { name: 'bulletins' });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.rescheduling);
    clearInterval(this.queueCheck);
    await shutdownStep(`reaction ${this.scheduler.name}`, () => this.scheduler.stop());
    await shutdownStep(`reaction ${this.dispatcher.name}`, () => this.dispatcher.stop());
    await shutdownStep(`reaction ${this.notifier.name}`, () => this.notifier.stop());
    // What is left of the batches being sent at once goes to the queue, which is still open.
    await shutdownStep('the deliveries sent at once', async () => this.direct?.stop());
    await shutdownStep('the job queues', () => this.deps.queues.close());
  }
}
