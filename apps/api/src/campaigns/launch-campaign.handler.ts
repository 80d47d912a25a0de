import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { launchCampaign, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { CommandAnswer } from '../commands/command-context';
import { LaunchCampaignCommand } from './launch-campaign.command';

@CommandHandler(LaunchCampaignCommand)
export class LaunchCampaignHandler extends ApiCommandHandler<LaunchCampaignCommand, CommandAnswer> {
  constructor(@Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps) {
    super();
  }

  protected handle({ input }: LaunchCampaignCommand, metadata: CommandMetadata): Promise<CommandAnswer> {
    return launchCampaign(this.deps, input, metadata);
  }
}
