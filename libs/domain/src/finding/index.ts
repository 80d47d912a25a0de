export * from './finding.commands';
export * from './finding.events';
export * from './finding.state';
export { decideFinding, findingDecider } from './finding.decider';
