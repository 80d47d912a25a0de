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

const SOCKET_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
];
const SOCKET_CODE = new RegExp(`^(${SOCKET_CODES.join('|')})$`);
const SOCKET_CODE_IN_MESSAGE = new RegExp(`\\b(${SOCKET_CODES.join('|')})\\b`);

/**
 * Whether an error says that a server could not be reached over the network (refused, reset, timed out, no
 * such host), by its code, its cause's, or (when it has no code of its own, as a client's wrapper around the
 * socket's error) its message. Not `instanceof Error`:
 * socket errors are made by Node itself, in another realm than code run in a VM (as jest runs it).
 */
export function isSocketFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause, message } = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  return (
    [code, cause?.code].some((c) => typeof c === 'string' && SOCKET_CODE.test(c)) ||
    (code === undefined && typeof message === 'string' && SOCKET_CODE_IN_MESSAGE.test(message))
  );
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
    super(
      `stream ${streamName} is damaged: the store records revision ` +
        `${recordedRevision}, but its last event is at ${lastEventRevision}`,
    );
    this.name = 'StreamDamagedError';
  }
}
