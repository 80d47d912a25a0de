import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { CLOCK } from '@zhenggai/application';
import { IssueScheduledBulletinHandler } from '../bulletins/issue-scheduled-bulletin.handler';
import { LinkTaskToFindingHandler } from '../finding-resolution/link-task-to-finding.handler';
import { ResolveFindingHandler } from '../finding-resolution/resolve-finding.handler';
import { RecordDueRemindersHandler } from '../reminders/record-due-reminders.handler';
import { RecordTaskReminderHandler } from '../reminders/record-task-reminder.handler';
import { CompleteBreakDownHandler } from '../task-tree/complete-break-down.handler';
import { WorkerCommands } from './worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from './worker-command-deps';

/** The worker's command handlers on the CommandBus, over the adapters given. */
@Module({})
export class WorkerCommandsModule {
  static register(deps: WorkerCommandDeps): DynamicModule {
    return {
      module: WorkerCommandsModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: WORKER_COMMAND_DEPS, useValue: deps },
        { provide: CLOCK, useValue: deps.clock },
        RecordTaskReminderHandler,
        RecordDueRemindersHandler,
        LinkTaskToFindingHandler,
        ResolveFindingHandler,
        CompleteBreakDownHandler,
        IssueScheduledBulletinHandler,
      ],
    };
  }
}

/**
 * The worker's commands on a CommandBus of their own, outside the worker module: for the parts that run without it
 * (tests, benchmarks, a worker process cut down to one job). `close` ends the bus's Nest context.
 */
export async function openWorkerCommands(
  deps: WorkerCommandDeps,
): Promise<{ readonly commands: WorkerCommands; close(): Promise<void> }> {
  const context = await NestFactory.createApplicationContext(WorkerCommandsModule.register(deps), { logger: false });
  await context.init();
  return { commands: context.get(CommandBus), close: () => context.close() };
}
