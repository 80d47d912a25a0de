import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, Clock, launchCampaign, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandAnswer, CommandContext, commandMetadata } from '../commands/command-context';
import { LaunchCampaignDto } from './launch-campaign.dto';

export class LaunchCampaignCommand {
  constructor(
    readonly context: CommandContext,
    readonly body: LaunchCampaignDto,
  ) {}
}

@CommandHandler(LaunchCampaignCommand)
export class LaunchCampaignHandler implements ICommandHandler<LaunchCampaignCommand, CommandAnswer> {
  constructor(
    @Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ context, body }: LaunchCampaignCommand): Promise<CommandAnswer> {
    return launchCampaign(
      this.deps,
      {
        name: body.name,
        description: body.description ?? '',
        deadline: body.deadline,
        scope: { regionId: body.scope?.regionId ?? null, category: body.scope?.category ?? null },
        targets: (body.targets ?? []).map((t) => ({ label: t.label, quantity: t.quantity, unit: t.unit })),
      },
      commandMetadata(context, this.clock),
    );
  }
}
