import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { recordTaskReminder, RecordTaskReminderResult } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { WorkerCommandHandler } from '../commands/worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from '../commands/worker-command-deps';
import { RecordTaskReminderCommand } from './record-task-reminder.command';

@CommandHandler(RecordTaskReminderCommand)
export class RecordTaskReminderHandler extends WorkerCommandHandler<
  RecordTaskReminderCommand,
  RecordTaskReminderResult
> {
  constructor(@Inject(WORKER_COMMAND_DEPS) private readonly deps: WorkerCommandDeps) {
    super();
  }

  protected handle({ input }: RecordTaskReminderCommand, metadata: CommandMetadata): Promise<RecordTaskReminderResult> {
    return recordTaskReminder(this.deps, input, metadata);
  }
}
