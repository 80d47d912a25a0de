import { Module } from '@nestjs/common';
import { ViewsModule } from '../views';
import { BreakDownTaskHandler } from './break-down-task.handler';
import { ExecuteTaskHandler } from './execute-task.handler';
import { ExtensionRequestsController } from './extension-requests.controller';
import { HistoryNames } from './history-names';
import { LedgerExportService } from './ledger-export.service';
import { TaskReadService } from './task-read.service';
import { TasksController } from './tasks.controller';

@Module({
  imports: [ViewsModule],
  controllers: [TasksController, ExtensionRequestsController],
  providers: [TaskReadService, HistoryNames, LedgerExportService, ExecuteTaskHandler, BreakDownTaskHandler],
  exports: [TaskReadService, HistoryNames],
})
export class TasksModule {}
