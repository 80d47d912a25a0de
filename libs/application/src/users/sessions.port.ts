export const SESSIONS = Symbol('Sessions');
export const LOGIN_THROTTLE = Symbol('LoginThrottle');

/** A signed-in session: what a refresh token renews and what logout or disabling an account ends. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export type RefreshOutcome =
  | { readonly kind: 'renewed'; readonly session: Session }
  /** Unknown, expired or ended: sign in again. */
  | { readonly kind: 'invalid' }
  /** A refresh token already exchanged was presented again: it was stolen or copied, so the session is ended. */
  | { readonly kind: 'reused'; readonly session: Session };

export interface SessionStore {
  /** Starts a session whose refresh token hashes to `refreshHash`. */
  start(session: { id: string; userId: string; refreshHash: string; expiresAt: Date }): Promise<Session>;
  /** Exchanges the refresh token hashing to `presentedHash` for `nextHash` (rotation with reuse detection). */
  refresh(presentedHash: string, nextHash: string, now: Date): Promise<RefreshOutcome>;
  /** True while the session is neither ended nor expired. */
  isActive(sessionId: string, now: Date): Promise<boolean>;
  end(sessionId: string, now: Date): Promise<void>;
  /** Ends every session of the user; returns their ids. */
  endAllOf(userId: string, now: Date): Promise<string[]>;
}

/** Failed sign-ins per account, for lockout. */
export interface LoginThrottle {
  /** When the account is locked, until when. */
  lockedUntil(username: string, now: Date): Promise<Date | null>;
  /** Records a failure; locks the account for `lockMs` once `maxFailures` follow each other within it. */
  recordFailure(username: string, now: Date, maxFailures: number, lockMs: number): Promise<Date | null>;
  recordSuccess(username: string): Promise<void>;
}
