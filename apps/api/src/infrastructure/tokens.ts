/**
 * The API's own DI tokens, for what the hosting process hands in besides the application's ports (whose tokens,
 * EVENT_STORE, CLOCK…, live with the ports in @zhenggai/application). Provided by `InfrastructureModule`.
 */

/** The PostgreSQL pool the read models and the health check query. */
export const DATABASE_POOL = Symbol('DatabasePool');
/** Where the projections read events, when not from the PostgreSQL event store (`Infrastructure.projectionSource`). */
export const PROJECTION_SOURCE = Symbol('ProjectionSource');
/** The outbox of notification deliveries. */
export const DELIVERIES = Symbol('Deliveries');
/** The BullMQ queues, to requeue a delivery. */
export const JOB_QUEUES = Symbol('JobQueues');
/** How deliveries are retried (from configuration). */
export const DELIVERY_RETRY = Symbol('DeliveryRetry');
/** How many days before its deadline a task turns yellow (from configuration). */
export const DEADLINE_WARNING_DAYS = Symbol('DeadlineWarningDays');
/** The most tasks one 整改台账 export carries (LEDGER_MAX_ROWS). */
export const LEDGER_MAX_ROWS = Symbol('LedgerMaxRows');
/** When the daily digest goes out while no admin has set it (`DIGEST_TIME`, HH:MM Asia/Shanghai). */
export const CONFIGURED_DIGEST_TIME = Symbol('ConfiguredDigestTime');
/** Session lifetimes and the brakes on guessing passwords (`AuthPolicy`, from configuration). */
export const AUTH_POLICY = Symbol('AuthPolicy');

/** Session lifetimes and the brakes on guessing passwords (from configuration). */
export interface AuthPolicy {
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly maxFailedLogins: number;
  readonly lockSeconds: number;
  readonly loginsPerMinutePerAddress: number;
}
/** What issuing a bulletin needs (IssueBulletinDeps). */
export const BULLETIN_DEPS = Symbol('BulletinDeps');
