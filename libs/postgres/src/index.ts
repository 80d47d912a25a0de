export * from './embedded/embedded-postgres.errors';
export { startEmbeddedPostgres } from './embedded/embedded-postgres.launcher';
export { findFreePort } from './embedded/free-port';
export { removeDataFolder } from './embedded/data-folder-removal';
export { SERVER_HOME } from './embedded/postgres-installation';
export type { EmbeddedPostgresOptions, EmbeddedPostgresServer } from './embedded/embedded-postgres.launcher';
export { runningEmbeddedPostgresUrl } from './embedded/running-server';
export { DuplicateEventIdError } from './event-store/duplicate-event-id.error';
export { EVENTS_APPENDED_CHANNEL } from './event-store/event-notifications';
export { eventStoreMigrations } from './event-store/event-store.migrations';
export { PostgresEventStore } from './event-store/postgres-event-store';
export type { PostgresEventStoreOptions } from './event-store/postgres-event-store';
export { migrate } from './migrations/migrate';
export * from './migrations/migration';
export { createPool } from './pool/create-pool';
export { asPostgresFailure, isPostgresConnectionFailure } from './pool/connection-failure';
export type { CreatePoolOptions } from './pool/create-pool';
export * from './directory/postgres-directory';
export * from './idempotency/postgres-idempotency-store';
export * from './subscriptions/postgres-checkpoint-store';
export * from './users/postgres-user-repository';
export * from './projections/projection.errors';
export { projectionMigrations } from './projections/projection.migrations';
export { createReadIndexes, ensureActiveGeneration } from './projections/projection-generations';
export { generationSchema, leaseKeySql } from './projections/projection-names';
export { PROJECTION_BATCH_SIZE } from './projections/projection-batch';
export { ProjectionRunner } from './projections/projection-runner';
export { projectionWriteSql } from './projections/projection-write-sql';
export type {
  ProjectionRunnerOptions,
  ProjectionRunnerPhase,
  ProjectionRunnerStatus,
} from './projections/projection-runner';
export { readProjectionStatuses } from './projections/projection-status';
export type { ProjectionStatus } from './projections/projection-status';
export { rebuildProjection } from './projections/rebuild-projection';
export { inTransaction } from './projections/transaction';
export type { RebuildProjectionOptions, RebuildResult } from './projections/rebuild-projection';
export { PostgresReminderPolicies, reminderPolicyMigrations } from './reminders/postgres-reminder-policies';
export {
  Delivery,
  DeliveryPage,
  DeliveryStatus,
  deliveryMigrations,
  isDeliveryCursor,
  NewDelivery,
  PendingDelivery,
  RecordedDelivery,
  PostgresDeliveries,
} from './reminders/postgres-deliveries';
export { PostgresSessions, sessionMigrations } from './users/postgres-sessions';
export { PostgresRateLimits, rateLimitMigrations } from './users/postgres-rate-limits';
export * from './imports/postgres-imports';
