export * from './rectification-task.commands';
export * from './rectification-task.events';
export * from './rectification-task.state';
export { decideRectificationTask, rectificationTaskDecider } from './rectification-task.decider';
export {
  owedReminders,
  OwedReminder,
  reminderIdOf,
  remindersToSchedule,
  TaskReminderFacts,
} from './rectification-task.reminders';
export { defaultSubtaskTitle, MAX_SUBTASKS_PER_BREAKDOWN, roundQuantity } from './task-tree';
