/** What other features may use of the deadline views. */
export { ReadModelsService } from './read-models.service';
export { LedgerExportQueryDto, MinRevisionQueryDto, TaskListQueryDto } from './view-queries.dto';
export { ViewsModule } from './views.module';
