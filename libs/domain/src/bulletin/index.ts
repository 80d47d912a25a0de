export * from './bulletin.commands';
export * from './bulletin.events';
export * from './bulletin.state';
export { bulletinDecider, decideBulletin } from './bulletin.decider';
export * from './bulletin-schedule.decider';
