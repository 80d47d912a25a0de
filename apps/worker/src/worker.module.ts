import { DynamicModule, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { bulletinDeps, shutdownStep, type Infrastructure } from '@zhenggai/platform';
import {
  isPostgresConnectionFailure,
  PostgresCheckpointStore,
  PostgresEventStore,
  ProjectionLeaseLostError,
  ProjectionRunner,
} from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { CatchUpTurns, NotificationChannel } from '@zhenggai/application';
import { EmailChannel, WebhookChannel } from '@zhenggai/notifications';
import { WorkerCommands } from './commands/worker-command';
import { WorkerCommandDeps } from './commands/worker-command-deps';
import { WorkerCommandsModule } from './commands/worker-commands.module';
import { DIRECTORY_TABLES, DirectoryTablesReactor } from './directory/directory-tables.reactor';
import { FINDING_RESOLUTION, FindingResolutionReactor } from './finding-resolution/finding-resolution.reactor';
import { SUBTASK_ASSIGNMENT, SubtaskAssignmentReactor } from './task-tree/subtask-assignment.reactor';
import { HAND_OVER_NOTIFIER } from './reminders/hand-over-notifier.reactor';
import { NOTIFICATION_DISPATCHER } from './reminders/notification-dispatcher.reactor';
import { REMINDER_SCHEDULER } from './reminders/reminder-scheduler.reactor';
import { ReminderEngine, ReminderEngineDeps } from './reminders/reminder-engine';
import { ReminderRecipients } from './reminders/reminder-recipients';
import { tasksReadModelCaughtUp } from './reminders/tasks-caught-up';

const REACTORS = Symbol('Reactors');
const logger = new Logger('Worker');

interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How a shutdown that took too long names the part it abandoned. */
function partName(reactor: Startable): string {
  if (reactor instanceof ProjectionRunner) return `projection ${reactor.name}`;
  if (reactor instanceof ReminderEngine) return 'the reminder ladder';
  return `reaction ${(reactor as { name?: string }).name ?? reactor.constructor.name}`;
}

/** What the worker's command handlers use of the process's infrastructure. */
export function workerCommandDeps(infra: Infrastructure): WorkerCommandDeps {
  return {
    store: infra.eventStore,
    cache: infra.streamCache,
    clock: infra.clock,
    recipients: new ReminderRecipients(infra.directory, infra.users),
    reminderPolicies: infra.reminderPolicies,
    bulletins: bulletinDeps(infra),
  };
}

/**
 * The reminder ladder on the process's BullMQ queues (Redis with REDIS_URL, else BullMQ's PostgreSQL backend),
 * wired from its configuration, sending its commands to `commands`; `overrides` replace parts of it (tests and the
 * benchmark).
 */
export function reminderEngineOf(
  infra: Infrastructure,
  commands: WorkerCommands,
  overrides: Partial<ReminderEngineDeps> = {},
): ReminderEngine {
  const { config } = infra;
  const channels: NotificationChannel[] = [
    new WebhookChannel(),
    ...(config.smtp ? [new EmailChannel(config.smtp)] : []),
  ];
  return new ReminderEngine({
    queues: infra.queues,
    pool: infra.pool,
    store: infra.eventStore,
    directory: infra.directory,
    users: infra.users,
    deliveries: infra.deliveries,
    channels,
    clock: infra.clock,
    publicUrl: config.publicUrl,
    reconcileEveryMs: config.reminderReconcileSeconds * 1000,
    digestTime: config.digestTime,
    commands,
    deliveryRetry: config.deliveryRetry,
    tasksCaughtUp: tasksReadModelCaughtUp(infra.pool, infra.projectionSource),
    ...overrides,
  });
}

/**
 * PostgreSQL out of reach or a lost lease is a one-line warning (the runner starts over from its checkpoint after a
 * pause, and says so while it lasts); anything else is an error with its stack.
 */
function reportProjectionFailure(name: string, error: unknown): void {
  if (isPostgresConnectionFailure(error) || error instanceof ProjectionLeaseLostError) {
    logger.warn(`projection ${name}: ${(error as Error).message}; starting over from its checkpoint after a pause`);
  } else {
    logger.error(`projection ${name}: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

/**
 * The order the read models and reactions catch up in when they are all far behind (`CatchUpTurns`): the task views
 * every page reads; the directory's tables and the reactions that complete the task trees and findings; each user's
 * 待办; the reminder ladder and the notices it owes; the inbox, the catalogue of settings, and the audit trail, which
 * only leadership reads.
 */
const CATCH_UP_ORDER = [
  'tasks',
  DIRECTORY_TABLES,
  SUBTASK_ASSIGNMENT,
  FINDING_RESOLUTION,
  'todo',
  REMINDER_SCHEDULER,
  NOTIFICATION_DISPATCHER,
  HAND_OVER_NOTIFIER,
  'inbox',
  'catalogue',
  'audit',
];

/** A projection another worker prefers waits before taking its lease (`PROJECTIONS_PREFERRED`). */
function deferLeaseMs(config: Infrastructure['config'], projection: string): number {
  const preferred = config.preferredProjections;
  return preferred === null || preferred.includes(projection) ? 0 : config.projectionDeferSeconds * 1000;
}

/**
 * Durable reactions to the event store and the read models' projections: each runs from a stored checkpoint
 * (projections commit their checkpoint with their changes, under a lease held by one process at a time).
 */
@Module({})
export class WorkerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REACTORS) private readonly reactors: Startable[]) {}

  static register(infra: Infrastructure): DynamicModule {
    const checkpoints = new PostgresCheckpointStore(infra.pool);
    const catchUpTurns = new CatchUpTurns(CATCH_UP_ORDER);
    // On PostgreSQL, the runners share their reads near the head with each other and the reactions.
    const liveSource =
      infra.eventStore instanceof PostgresEventStore ? infra.eventStore.liveProjectionSource() : undefined;
    return {
      module: WorkerModule,
      imports: [WorkerCommandsModule.register(workerCommandDeps(infra))],
      providers: [
        {
          provide: REACTORS,
          inject: [CommandBus],
          // Started in this order: the read models first, the `tasks` one before all (far behind, it claims the turn at
          // catching up as it starts, before a reaction started after it asks for one).
          useFactory: (commands: CommandBus): Startable[] => [
            ...allProjections.map(
              (projection) =>
                new ProjectionRunner({
                  pool: infra.pool,
                  projection,
                  source: infra.projectionSource,
                  liveSource,
                  catchUpTurns,
                  deferLeaseMs: deferLeaseMs(infra.config, projection.name),
                  onError: (error) => reportProjectionFailure(projection.name, error),
                }),
            ),
            new DirectoryTablesReactor(infra.eventStore, checkpoints, infra.directory).catchUpIn(catchUpTurns),
            new FindingResolutionReactor(infra.eventStore, checkpoints, commands).catchUpIn(catchUpTurns),
            new SubtaskAssignmentReactor(infra.eventStore, checkpoints, commands).catchUpIn(catchUpTurns),
            ...(infra.config.reminders ? [reminderEngineOf(infra, commands, { catchUpTurns })] : []),
          ],
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const reactor of this.reactors) await reactor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const reactor of this.reactors) await shutdownStep(partName(reactor), () => reactor.stop());
  }
}
