import { CommandOrigin, StoredEvent, UseCaseResult } from '@zhenggai/application';
import { WorkerCommand } from '../commands/worker-command';

/** A recorded break-down (`RectificationTaskBrokenDown`): make sure each sub-task it names has its stream. */
export class CompleteBreakDownCommand extends WorkerCommand<UseCaseResult[]> {
  constructor(
    origin: CommandOrigin,
    readonly brokenDown: StoredEvent,
  ) {
    super(origin);
  }
}
