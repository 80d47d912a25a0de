export * from './directory-rules';
export * from './region.decider';
export * from './unit.decider';
export * from './user-account.decider';
export * from './category.decider';
export * from './digest-schedule.decider';
