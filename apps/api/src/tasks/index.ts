/** What other features may use of the tasks. */
export { historyEntry, TaskReadService, TaskView } from './task-read.service';
export { TasksModule } from './tasks.module';
