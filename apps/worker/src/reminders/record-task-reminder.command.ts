import { CommandOrigin, RecordTaskReminderInput, RecordTaskReminderResult } from '@zhenggai/application';
import { WorkerCommand } from '../commands/worker-command';

/** A ladder level's job, when due: record the level if the task still owes it. */
export class RecordTaskReminderCommand extends WorkerCommand<RecordTaskReminderResult> {
  constructor(
    origin: CommandOrigin,
    readonly input: RecordTaskReminderInput,
  ) {
    super(origin);
  }
}
