import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { resolveFinding, ResolveFindingResult } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { WorkerCommandHandler } from '../commands/worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from '../commands/worker-command-deps';
import { ResolveFindingCommand } from './resolve-finding.command';

@CommandHandler(ResolveFindingCommand)
export class ResolveFindingHandler extends WorkerCommandHandler<ResolveFindingCommand, ResolveFindingResult> {
  constructor(@Inject(WORKER_COMMAND_DEPS) private readonly deps: WorkerCommandDeps) {
    super();
  }

  protected handle({ input }: ResolveFindingCommand, metadata: CommandMetadata): Promise<ResolveFindingResult> {
    return resolveFinding(this.deps, input, metadata);
  }
}
