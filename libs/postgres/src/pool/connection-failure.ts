import { isSocketFailure, StoreUnavailableError } from '@zhenggai/application';

/** SQLSTATEs that say the server cannot serve now: connection exceptions, shutting down, starting up, full. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P01|57P02|57P03|53300)$/;
/** What `pg` and its pool say, without a code, when a connection broke or could not be had in time. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * Whether an error of `pg` says that PostgreSQL is out of reach, rather than that the query was wrong: the
 * server refused or dropped the connection, is shutting down or starting up, or the pool found no connection
 * within its connection timeout.
 */
export function isPostgresConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (isSocketFailure(error)) return true;
  const { code, errors, message } = error as { code?: unknown; errors?: unknown; message?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
  // Node's happy-eyeballs connect (localhost as ::1 and 127.0.0.1) fails with an AggregateError of both attempts.
  if (Array.isArray(errors) && errors.length > 0 && errors.every(isPostgresConnectionFailure)) return true;
  return typeof message === 'string' && DRIVER_MESSAGES.some((start) => message.startsWith(start));
}

/** The error as the application should see it: a {@link StoreUnavailableError} when PostgreSQL is out of reach. */
export function asPostgresFailure(error: unknown): unknown {
  return isPostgresConnectionFailure(error) ? new StoreUnavailableError('PostgreSQL', error) : error;
}
