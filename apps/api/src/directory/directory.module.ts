import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { directoryHandlers } from './directory.handlers';

@Module({
  controllers: [DirectoryController],
  providers: [...directoryHandlers],
})
export class DirectoryModule {}
