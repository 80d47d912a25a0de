import { Module } from '@nestjs/common';
import { ViewsModule } from '../views';
import { ExecuteTaskCommandHandler } from './execute-task-command.handler';
import { ExtensionRequestsController } from './extension-requests.controller';
import { LedgerExportService } from './ledger-export.service';
import { TaskReadService } from './task-read.service';
import { TasksController } from './tasks.controller';

@Module({
  imports: [ViewsModule],
  controllers: [TasksController, ExtensionRequestsController],
  providers: [TaskReadService, LedgerExportService, ExecuteTaskCommandHandler],
  exports: [TaskReadService],
})
export class TasksModule {}
