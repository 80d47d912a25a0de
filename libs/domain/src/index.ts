export * from './shared';
export * from './rectification-task';
export * from './finding';
export * from './campaign';
export * from './bulletin';
export * from './reminders/reminder-policy';
export * from './directory';
export * from './event-upcasters';
