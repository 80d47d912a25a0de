export { EsdbEventStore } from './esdb-event-store';
export type { EsdbEventStoreOptions } from './esdb-event-store';
export { EsdbProjectionSource } from './esdb-projection-source';
export { HASH_KEY, PREVIOUS_HASH_KEY } from './esdb-event-mapping';
export {
  isSupportedServerVersion,
  MINIMUM_SERVER_VERSION,
  MissingPositionError,
  UnsupportedServerError,
} from './esdb-server-version';
