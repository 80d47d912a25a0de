import { Module } from '@nestjs/common';
import {
  AddBulletinScheduleHandler,
  ChangeBulletinScheduleHandler,
  RemoveBulletinScheduleHandler,
} from './bulletin-schedule.commands';
import { BulletinSchedulesController } from './bulletin-schedules.controller';
import { BulletinsController } from './bulletins.controller';
import { IssueBulletinHandler } from './issue-bulletin.handler';

@Module({
  controllers: [BulletinsController, BulletinSchedulesController],
  providers: [
    IssueBulletinHandler,
    AddBulletinScheduleHandler,
    ChangeBulletinScheduleHandler,
    RemoveBulletinScheduleHandler,
  ],
})
export class BulletinsModule {}
