import { Module } from '@nestjs/common';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { MarkReadHandler } from './mark-read.handler';

@Module({
  controllers: [InboxController],
  providers: [InboxService, MarkReadHandler],
})
export class InboxModule {}
