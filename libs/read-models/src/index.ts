import { Projection } from '@zhenggai/application';
import { auditProjection } from './audit/audit.projection';
import { catalogueProjection } from './catalogue/catalogue.projection';
import { inboxProjection } from './inbox/inbox.projection';
import { tasksProjection } from './tasks/tasks.projection';
import { todoProjection } from './todo/todo.projection';

export { auditProjection } from './audit/audit.projection';
export { catalogueProjection } from './catalogue/catalogue.projection';
export { inboxProjection } from './inbox/inbox.projection';
export { tasksProjection } from './tasks/tasks.projection';
export { todoProjection } from './todo/todo.projection';
export * from './todo/todo.fold';
export * from './queries/task-queries';

/** Every read model the worker keeps up to date (and `npm run projections:rebuild` can rebuild). */
export const allProjections: readonly Projection[] = [
  tasksProjection,
  auditProjection,
  inboxProjection,
  catalogueProjection,
  todoProjection,
];
export * from './queries/campaign-progress.query';
export * from './queries/quantity-burndown.query';
export * from './queries/audit.query';
export * from './queries/inbox.query';
export * from './queries/catalogue.query';
export * from './queries/todo.query';
export * from './queries/ledger.query';
export * from './queries/reminder-facts.query';
export * from './bulletins/bulletin-composer';
