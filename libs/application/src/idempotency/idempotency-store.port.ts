export const IDEMPOTENCY_STORE = Symbol('IdempotencyStore');

/** The first answer given to a request carrying an `Idempotency-Key`. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type IdempotencyClaim =
  | { readonly outcome: 'claimed' }
  | { readonly outcome: 'in-progress' }
  | { readonly outcome: 'replay'; readonly answer: StoredAnswer }
  | { readonly outcome: 'mismatch' };

/**
 * Remembers answers per (caller, key). `claim` is atomic: of two requests with the same key exactly one is
 * `claimed`; the other sees `in-progress` until the first completes, then `replay`. A key reused for a
 * different request (another fingerprint) is a `mismatch`.
 */
export interface IdempotencyStore {
  claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim>;
  complete(scope: string, key: string, answer: StoredAnswer): Promise<void>;
  /** Forget a claim whose request failed for reasons worth retrying (a server error). */
  release(scope: string, key: string): Promise<void>;
}
