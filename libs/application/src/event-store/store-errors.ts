/**
 * A store the application needs (the database, the event store) did not answer: it is down, restarting or out of
 * reach. Nothing was decided; the same request may succeed a moment later. The API answers 503 with Retry-After.
 */
export class StoreUnavailableError extends Error {
  constructor(
    /** Which store, for the logs and the answer: `PostgreSQL`, `EventStoreDB`. */
    readonly store: string,
    override readonly cause: unknown,
  ) {
    super(`${store} does not answer: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}
