export { DoubleLog } from './double-log';
export type { DoubleRecord } from './double-log';
export { EsdbDouble } from './esdb-double';
export type { EsdbDoubleOptions } from './esdb-double';
