export const IDEMPOTENCY_STORE = Symbol('IdempotencyStore');

/** The first answer given to a request carrying an `Idempotency-Key`. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type IdempotencyClaim =
  /**
   * The caller runs the request. `resumed`: an earlier attempt claimed the key and ended without an answer (a
   * server error, or its holder is gone): what it stored is in the store, and the command must answer from that.
   */
  | { readonly outcome: 'claimed'; readonly resumed: boolean }
  | { readonly outcome: 'in-progress' }
  | { readonly outcome: 'replay'; readonly answer: StoredAnswer }
  | { readonly outcome: 'mismatch' };

/**
 * Remembers answers per (caller, key). `claim` is atomic: of two requests with the same key exactly one is
 * `claimed`; the other sees `in-progress` while the first runs, then `replay`. A key reused for a different
 * request (another fingerprint) is a `mismatch`, even after a claim that ended without an answer.
 *
 * A claim lasts as long as its holder: a holder that dies (its process killed, its database session lost) gives
 * its claims up, and the next request with the key is `claimed` again, `resumed`.
 */
export interface IdempotencyStore {
  claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim>;
  /** Keeps the answer of a claimed request and ends the claim. */
  complete(scope: string, key: string, answer: StoredAnswer): Promise<void>;
  /** Ends a claim without an answer (a server error): the next request with the key resumes it. */
  release(scope: string, key: string): Promise<void>;
}
