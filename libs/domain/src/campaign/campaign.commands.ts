import { Command, LocalDate } from '../shared';
import { CampaignScope, CampaignTarget } from './campaign.state';

/** 专项行动, e.g. 危房改造清零 by 2018-09-30. */
export type LaunchCampaign = Command<
  'LaunchCampaign',
  {
    campaignId: string;
    name: string;
    description: string;
    deadline: LocalDate;
    scope: CampaignScope;
    targets: readonly CampaignTarget[];
  }
>;

export type CampaignCommand = LaunchCampaign;
