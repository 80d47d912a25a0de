export * from './rectification-task.commands';
export * from './rectification-task.events';
export * from './rectification-task.state';
export { decideRectificationTask, owedReminders, OwedReminder, rectificationTaskDecider, reminderIdOf, remindersToSchedule } from './rectification-task.decider';
