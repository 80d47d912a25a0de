import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import {
  checkPasswordPolicy,
  CLOCK,
  Clock,
  DIRECTORY_DEPS,
  DirectoryDeps,
  earlierAttemptOn,
  ID_GENERATOR,
  IdGenerator,
  LOGIN_THROTTLE,
  LoginThrottle,
  PASSWORD_HASHER,
  PasswordHasher,
  SESSIONS,
  SessionStore,
  USER_REPOSITORY,
  UserAccount,
  UserRepository,
  setUserPassword,
} from '@zhenggai/application';
import { CommandMetadata, userAccountDecider, userStreamName } from '@zhenggai/domain';
import { createHash, randomBytes } from 'node:crypto';
import { ProblemException } from '../http/problem-details';
import { claimsOf } from '../access/access-token';
import { ActiveSessions } from '../access/active-sessions';
import { AUTH_POLICY, AuthPolicy } from '../infrastructure/tokens';
import { SignInRateLimit } from './sign-in-rate-limit';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  role: UserAccount['role'];
  unitId: string | null;
  /** The region subtree the user works in; null: the whole tree (or, for a unit user, its unit's tasks). */
  regionScopeId: string | null;
  disabled: boolean;
}

export const publicUser = (user: UserAccount): PublicUser => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  unitId: user.unitId,
  regionScopeId: user.regionScopeId,
  disabled: user.disabled,
});

export interface Tokens {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token lives; renew it with the refresh token before then. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
  user: PublicUser;
}

// A hash of a random password: verifying against it costs the same as a real check, so a missing
// username takes as long as a wrong password.
const DECOY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$Kx7Zr5xb9l6oN4i0k9l9cW4jQ2cX3u0f4Z7p2mNwqVE=';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const tooMany = (detail: string, retryAfterSeconds: number) =>
  ProblemException.of(429, 'TOO_MANY_LOGINS', 'Too many sign-in attempts', detail, { retryAfterSeconds });

/**
 * Signing in, renewing and signing out. A sign-in opens a session: a short-lived access token (JWT, naming
 * the session) and a refresh token that is exchanged for a new pair and can be used once (a second use means
 * it was copied: the session ends). Failed sign-ins lock the account for a while after a few in a row, and
 * each client address gets a limited number of attempts per minute.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(SESSIONS) private readonly sessions: SessionStore,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(AUTH_POLICY) private readonly policy: AuthPolicy,
    private readonly active: ActiveSessions,
    private readonly rateLimit: SignInRateLimit,
    private readonly jwt: JwtService,
    @Inject(DIRECTORY_DEPS) private readonly directory: DirectoryDeps,
  ) {}

  async login(username: string, password: string, address: string): Promise<Tokens> {
    await this.countAttempt(address);
    const now = this.clock.now();
    await this.refuseIfLocked(username, now);
    const user = await this.users.findByUsername(username);
    const valid = await this.hasher.verify(password, user?.passwordHash ?? DECOY_HASH);
    if (!user || !valid || user.disabled) {
      await this.recordFailure(username, now);
      throw ProblemException.of(401, 'INVALID_CREDENTIALS', 'Login failed', 'the username or password is wrong');
    }
    await this.throttle.recordSuccess(username);
    const refreshToken = this.newRefreshToken();
    const session = await this.sessions.start({
      id: this.ids.newId(),
      userId: user.id,
      refreshHash: sha256(refreshToken),
      expiresAt: new Date(now.getTime() + this.policy.refreshTtlSeconds * 1000),
    });
    return this.tokens(user, session.id, refreshToken, session.expiresAt);
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const next = this.newRefreshToken();
    const outcome = await this.sessions.refresh(sha256(refreshToken), sha256(next), this.clock.now());
    if (outcome.kind === 'reused') {
      await this.active.end(outcome.session.id);
      throw ProblemException.of(
        401,
        'REFRESH_TOKEN_REUSED',
        'Sign in again',
        'this refresh token was already used; the session has been ended for safety',
      );
    }
    if (outcome.kind === 'invalid')
      throw ProblemException.of(
        401,
        'INVALID_REFRESH_TOKEN',
        'Sign in again',
        'the refresh token is unknown, expired or its session has ended',
      );
    const user = await this.users.findById(outcome.session.userId);
    if (!user || user.disabled) {
      await this.active.end(outcome.session.id);
      throw ProblemException.of(401, 'INVALID_REFRESH_TOKEN', 'Sign in again', 'this account cannot sign in');
    }
    return this.tokens(user, outcome.session.id, next, outcome.session.expiresAt);
  }

  /**
   * A user changes its own password, proving the current one (a wrong one counts as a failed sign-in). History
   * records the change; every session of the user ends, and the answer is a new session, like a sign-in.
   * A retried request (`commandId`, from its Idempotency-Key) whose earlier attempt recorded the change and may
   * have stored the new password already proves either, and completes the change without recording it twice.
   */
  async changePassword(
    metadata: CommandMetadata,
    currentPassword: string,
    newPassword: string,
    address: string,
  ): Promise<Tokens> {
    const { actor, commandId } = metadata;
    const now = new Date(metadata.now);
    await this.refuseIfLocked(actor.username, now);
    const user = await this.users.findById(actor.userId);
    if (!user || user.disabled)
      throw ProblemException.of(401, 'UNAUTHENTICATED', 'Authentication required', 'this account cannot sign in');
    const changedBefore = await earlierAttemptOn(this.directory.store, userAccountDecider, userStreamName(user.id), {
      actor,
      commandId,
    });
    const proven =
      (await this.hasher.verify(currentPassword, user.passwordHash ?? DECOY_HASH)) ||
      (changedBefore !== null && (await this.hasher.verify(newPassword, user.passwordHash ?? DECOY_HASH)));
    if (!proven) {
      await this.recordFailure(user.username, now);
      throw ProblemException.badRequest('currentPassword', 'the current password is wrong', 'WRONG_PASSWORD');
    }
    const hash = await this.hasher.hash(checkPasswordPolicy(newPassword, user.username, 'newPassword'));
    await setUserPassword(this.directory, user.id, hash, metadata);
    await this.active.endAllOf(user.id);
    return this.login(user.username, newPassword, address);
  }

  logout(sessionId: string): Promise<void> {
    return this.active.end(sessionId);
  }

  private async tokens(
    user: UserAccount,
    sessionId: string,
    refreshToken: string,
    refreshExpiresAt: Date,
  ): Promise<Tokens> {
    const accessToken = await this.jwt.signAsync(
      claimsOf(
        {
          userId: user.id,
          username: user.username,
          role: user.role,
          unitId: user.unitId,
          regionScopeId: user.regionScopeId,
        },
        sessionId,
      ),
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.policy.accessTtlSeconds,
      refreshToken,
      refreshExpiresAt: refreshExpiresAt.toISOString(),
      user: publicUser(user),
    };
  }

  private newRefreshToken(): string {
    return randomBytes(32).toString('base64url');
  }

  private async refuseIfLocked(username: string, now: Date): Promise<void> {
    const locked = await this.throttle.lockedUntil(username, now);
    if (locked) throw this.lockedProblem(locked, now);
  }

  /** A wrong password counts toward the lock: the one that locks the account is answered as locked. */
  private async recordFailure(username: string, now: Date): Promise<void> {
    const lockedNow = await this.throttle.recordFailure(
      username,
      now,
      this.policy.maxFailedLogins,
      this.policy.lockSeconds * 1000,
    );
    if (lockedNow) throw this.lockedProblem(lockedNow, now);
  }

  private lockedProblem(until: Date, now: Date): ProblemException {
    const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    return tooMany(`too many failed sign-ins for this account: it is locked until ${until.toISOString()}`, seconds);
  }

  /** A minute's window per client address, shared by every API process (`SignInRateLimit`). */
  private async countAttempt(address: string): Promise<void> {
    const refused = await this.rateLimit.attempt(address);
    if (refused) throw tooMany('too many sign-in attempts from this address; wait a minute', refused.retryAfterSeconds);
  }
}
