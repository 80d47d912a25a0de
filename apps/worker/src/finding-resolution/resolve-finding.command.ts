import { CommandOrigin, ResolveFindingInput, ResolveFindingResult } from '@zhenggai/application';
import { WorkerCommand } from '../commands/worker-command';

/** One of a finding's tasks closed or opened again: resolve or reopen the finding. */
export class ResolveFindingCommand extends WorkerCommand<ResolveFindingResult> {
  constructor(
    origin: CommandOrigin,
    readonly input: ResolveFindingInput,
  ) {
    super(origin);
  }
}
