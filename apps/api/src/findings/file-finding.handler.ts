import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { fileFinding, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { CommandAnswer } from '../commands/command-context';
import { FileFindingCommand } from './file-finding.command';

@CommandHandler(FileFindingCommand)
export class FileFindingHandler extends ApiCommandHandler<FileFindingCommand, CommandAnswer> {
  constructor(@Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps) {
    super();
  }

  protected handle({ input }: FileFindingCommand, metadata: CommandMetadata): Promise<CommandAnswer> {
    return fileFinding(this.deps, input, metadata);
  }
}
