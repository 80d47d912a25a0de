import { Module } from '@nestjs/common';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';
import { ImportCommitRunner } from './import-commit.runner';
import { ProblemListRowFiler } from './problem-list-row-filer';

@Module({
  controllers: [ImportsController],
  providers: [ImportsService, ImportCommitRunner, ProblemListRowFiler],
})
export class ImportsModule {}
