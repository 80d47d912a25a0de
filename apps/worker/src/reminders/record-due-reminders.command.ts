import { CommandOrigin, DueReminder, RecordDueRemindersResult } from '@zhenggai/application';
import { WorkerCommand } from '../commands/worker-command';

/** Levels already due when the scheduler meets them: record each its task still owes, together. */
export class RecordDueRemindersCommand extends WorkerCommand<RecordDueRemindersResult> {
  constructor(
    origin: CommandOrigin,
    readonly levels: readonly DueReminder[],
  ) {
    super(origin);
  }
}
