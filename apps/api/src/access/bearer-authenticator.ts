import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Actor } from '@zhenggai/domain';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../http/problem-details';
import { AccessTokenClaims, actorOf } from './access-token';
import { ActiveSessions } from './active-sessions';
import { headerOf } from './authenticated-request';

const unauthorized = (detail: string) => ProblemException.of(401, 'UNAUTHENTICATED', 'Authentication required', detail);

const REMEMBERED_TOKENS = 10_000;

export interface Authenticated {
  readonly actor: Actor;
  readonly sessionId: string;
}

/**
 * Who sends a request: the bearer token's actor, if the token is valid and its session still active.
 * A token once verified is remembered until it expires (a token never changes), which spares a signature
 * check and a JSON parse on every request of a session.
 */
@Injectable()
export class BearerAuthenticator {
  private readonly verified = new Map<string, Authenticated & { expiresAtMs: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: ActiveSessions,
  ) {}

  /** The request's actor; a 401 problem when it has no valid token of an active session. */
  async authenticate(request: FastifyRequest): Promise<Authenticated> {
    const [scheme, token] = (headerOf(request, 'authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw unauthorized('send `Authorization: Bearer <accessToken>` from POST /api/auth/login');
    }
    const authenticated = await this.actorOf(token);
    if (!(await this.sessions.isActive(authenticated.sessionId)))
      throw unauthorized('this session has ended (logged out, or the account was disabled); log in again');
    return authenticated;
  }

  private async actorOf(token: string): Promise<Authenticated> {
    const remembered = this.verified.get(token);
    if (remembered && remembered.expiresAtMs > Date.now()) return remembered;
    this.verified.delete(token);
    let claims: AccessTokenClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims & { exp?: number }>(token);
    } catch {
      throw unauthorized('the access token is invalid or has expired; log in again');
    }
    const actor = actorOf(claims);
    if (!actor || typeof claims.sid !== 'string')
      throw unauthorized('the access token is not one of ours; log in again');
    const verified = { actor, sessionId: claims.sid, expiresAtMs: (claims.exp ?? 0) * 1000 };
    if (claims.exp) {
      if (this.verified.size >= REMEMBERED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, verified);
    }
    return verified;
  }
}
