/** What other features may use of the findings: their commands, to file through the CommandBus. */
export { AssignTaskCommand } from './assign-task.command';
export { FileFindingCommand } from './file-finding.command';
