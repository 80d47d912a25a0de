import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import { StoreUnavailableError } from '@zhenggai/application';

/** gRPC status codes that say the server is out of reach, when an error comes through unconverted. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * The error as the application should see it: a {@link StoreUnavailableError} when EventStoreDB is out of reach
 * (down, restarting, no leader, no answer within the client's deadline), the error itself otherwise.
 */
export function asEsdbFailure(error: unknown): unknown {
  const unreachable =
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError ||
    (error instanceof Error &&
      [GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED].includes((error as { code?: unknown }).code as number));
  return unreachable ? new StoreUnavailableError('EventStoreDB', error) : error;
}
