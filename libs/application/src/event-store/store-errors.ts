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

/**
 * The store's own record of a stream disagrees with the stream's events (the revision it holds for the stream is
 * not that of the last event it has): events were removed or added behind the store's back. No append can be
 * decided on such a stream until it is repaired; `GET /api/audit/verify?stream=` shows where it breaks.
 */
export class StreamDamagedError extends Error {
  constructor(
    readonly streamName: string,
    /** The revision the store records for the stream. */
    readonly recordedRevision: string,
    /** The revision of the stream's last event, or `no_stream` when it has none. */
    readonly lastEventRevision: string,
  ) {
    super(`stream ${streamName} is damaged: the store records revision ${recordedRevision}, but its last event is at ${lastEventRevision}`);
    this.name = 'StreamDamagedError';
  }
}
