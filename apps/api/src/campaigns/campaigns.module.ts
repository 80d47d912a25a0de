import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { LaunchCampaignHandler } from './launch-campaign.handler';

@Module({
  controllers: [CampaignsController],
  providers: [LaunchCampaignHandler],
})
export class CampaignsModule {}
