export * from './actor';
export * from './command';
export * from './decider';
export * from './domain-error';
export * from './event';
export * from './upcasting';
export * from './evidence';
export * from './local-date';
export * from './quantity-target';
export {
  ID_MAX_LENGTH,
  isClockTime,
  NAME_MAX_LENGTH,
  requireClockTime,
  TEXT_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  UNIT_MAX_LENGTH,
} from './field-validation';
export { authorizeRole } from './authorization';
export * from './deep-freeze';
