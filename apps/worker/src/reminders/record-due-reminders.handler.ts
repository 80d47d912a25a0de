import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { recordDueReminders, RecordDueRemindersResult } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { WorkerCommandHandler } from '../commands/worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from '../commands/worker-command-deps';
import { RecordDueRemindersCommand } from './record-due-reminders.command';

@CommandHandler(RecordDueRemindersCommand)
export class RecordDueRemindersHandler extends WorkerCommandHandler<
  RecordDueRemindersCommand,
  RecordDueRemindersResult
> {
  constructor(@Inject(WORKER_COMMAND_DEPS) private readonly deps: WorkerCommandDeps) {
    super();
  }

  protected handle(
    { levels }: RecordDueRemindersCommand,
    metadata: CommandMetadata,
  ): Promise<RecordDueRemindersResult> {
    return recordDueReminders(this.deps, levels, metadata);
  }
}
