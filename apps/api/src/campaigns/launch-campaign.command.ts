import { LaunchCampaignInput } from '@zhenggai/application';
import { ApiCommand } from '../commands/api-command';
import { CommandAnswer, CommandContext } from '../commands/command-context';

/** 专项行动: launch a campaign. */
export class LaunchCampaignCommand extends ApiCommand<CommandAnswer> {
  constructor(
    context: CommandContext,
    readonly input: LaunchCampaignInput,
  ) {
    super(context);
  }
}
