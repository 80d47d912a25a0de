import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { linkTaskToFinding, UseCaseResult } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { WorkerCommandHandler } from '../commands/worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from '../commands/worker-command-deps';
import { LinkTaskToFindingCommand } from './link-task-to-finding.command';

@CommandHandler(LinkTaskToFindingCommand)
export class LinkTaskToFindingHandler extends WorkerCommandHandler<LinkTaskToFindingCommand, UseCaseResult> {
  constructor(@Inject(WORKER_COMMAND_DEPS) private readonly deps: WorkerCommandDeps) {
    super();
  }

  protected handle({ input }: LinkTaskToFindingCommand, metadata: CommandMetadata): Promise<UseCaseResult> {
    return linkTaskToFinding(this.deps, input, metadata);
  }
}
