import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks';
import { ViewsModule } from '../views';
import { AssignTaskHandler } from './assign-task.handler';
import { FileFindingHandler } from './file-finding.handler';
import { FindingReadService } from './finding-read.service';
import { FindingsController } from './findings.controller';
import { SimilarFindingsService } from './similar-findings.service';

@Module({
  imports: [TasksModule, ViewsModule],
  controllers: [FindingsController],
  providers: [FindingReadService, SimilarFindingsService, FileFindingHandler, AssignTaskHandler],
})
export class FindingsModule {}
