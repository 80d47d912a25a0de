export * from './campaign.commands';
export * from './campaign.events';
export * from './campaign.state';
export { campaignDecider, decideCampaign } from './campaign.decider';
