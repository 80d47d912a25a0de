import { Module } from '@nestjs/common';
import { ReadModelsService } from './read-models.service';
import { ViewsController } from './views.controller';

@Module({
  controllers: [ViewsController],
  providers: [ReadModelsService],
  exports: [ReadModelsService],
})
export class ViewsModule {}
