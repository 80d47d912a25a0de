/** What other features may use of the tasks. */
export { HistoryEntry, historyOf } from './event-history';
export { HistoryActorName, HistoryNames, NamedHistoryEntry } from './history-names';
export { TaskReadService, TaskView } from './task-read.service';
export { TasksModule } from './tasks.module';
