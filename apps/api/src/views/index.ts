/** What other features may use of the deadline views. */
export type { LedgerReading } from './ledger-reading';
export { ReadModelsService } from './read-models.service';
export {
  AsOfQueryDto,
  LedgerExportQueryDto,
  MinRevisionQueryDto,
  TaskListQueryDto,
  TaskPageQueryDto,
  TreeQueryDto,
} from './view-queries.dto';
export { ViewsModule } from './views.module';
