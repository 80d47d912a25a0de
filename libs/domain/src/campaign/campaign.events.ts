import { DomainEvent, LocalDate } from '../shared';
import type { CampaignScope, CampaignTarget } from './campaign.state';

export type CampaignLaunched = DomainEvent<
  'CampaignLaunched',
  {
    campaignId: string;
    name: string;
    description: string;
    deadline: LocalDate;
    scope: CampaignScope;
    targets: readonly CampaignTarget[];
    launchedBy: string;
  }
>;

export type CampaignEvent = CampaignLaunched;

export function campaignStreamName(campaignId: string): string {
  return `campaign-${campaignId}`;
}
