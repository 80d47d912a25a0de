import { LocalDate } from '../shared';
import { CampaignEvent } from './campaign.events';

/** Which tasks a campaign covers: a region subtree and/or a category; null means any. */
export interface CampaignScope {
  readonly regionId: string | null;
  readonly category: string | null;
}

/** A quantity the campaign must reach, e.g. `{ label: '危房改造', quantity: 217, unit: '户' }`. */
export interface CampaignTarget {
  readonly label: string;
  readonly quantity: number;
  readonly unit: string;
}

export interface ActiveCampaign {
  readonly status: 'active';
  readonly campaignId: string;
  readonly name: string;
  readonly description: string;
  readonly deadline: LocalDate;
  readonly scope: CampaignScope;
  readonly targets: readonly CampaignTarget[];
  readonly launchedBy: string;
}

export type CampaignState = { readonly status: 'none' } | ActiveCampaign;

export function initialCampaignState(): CampaignState {
  return { status: 'none' };
}

export function evolveCampaign(state: CampaignState, event: CampaignEvent): CampaignState {
  switch (event.type) {
    case 'CampaignLaunched':
      return { status: 'active', ...event.data };
    default: {
      event.type satisfies never;
      return state;
    }
  }
}
