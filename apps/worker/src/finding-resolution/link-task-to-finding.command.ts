import { CommandOrigin, LinkTaskToFindingInput, UseCaseResult } from '@zhenggai/application';
import { WorkerCommand } from '../commands/worker-command';

/** A task assigned on a finding: make sure the finding links it. */
export class LinkTaskToFindingCommand extends WorkerCommand<UseCaseResult> {
  constructor(
    origin: CommandOrigin,
    readonly input: LinkTaskToFindingInput,
  ) {
    super(origin);
  }
}
