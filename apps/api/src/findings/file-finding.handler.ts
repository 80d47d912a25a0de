import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, Clock, fileFinding, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandAnswer, CommandContext, commandMetadata } from '../commands/command-context';
import { FileFindingDto } from './file-finding.dto';

export class FileFindingCommand {
  constructor(
    readonly context: CommandContext,
    readonly body: FileFindingDto,
  ) {}
}

@CommandHandler(FileFindingCommand)
export class FileFindingHandler implements ICommandHandler<FileFindingCommand, CommandAnswer> {
  constructor(
    @Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ context, body }: FileFindingCommand): Promise<CommandAnswer> {
    return fileFinding(
      this.deps,
      {
        title: body.title,
        description: body.description ?? '',
        regionId: body.regionId,
        category: body.category,
        severity: body.severity,
        source: body.source ?? '',
        evidence: body.evidence ?? [],
      },
      commandMetadata(context, this.clock),
    );
  }
}
