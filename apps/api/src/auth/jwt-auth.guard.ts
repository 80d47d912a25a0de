import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Actor, Role } from '@zhenggai/domain';
import { ProblemException } from '../http/problem-details';
import { AccessTokenClaims, actorOf } from './access-token';
import { ActiveSessions } from './active-sessions';
import { AuthenticatedRequest, headerOf } from './authenticated-request';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';

const unauthorized = (detail: string) => ProblemException.of(401, 'UNAUTHENTICATED', 'Authentication required', detail);

const REMEMBERED_TOKENS = 10_000;

/**
 * Every route needs a valid bearer token unless marked `@Public()`; `@Roles()` narrows who may call it.
 * A token once verified is remembered until it expires (a token never changes), which spares a signature
 * check and a JSON parse on every request of a session.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly verified = new Map<string, { actor: Actor; sessionId: string; expiresAtMs: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    private readonly sessions: ActiveSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (headerOf(request, 'authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw unauthorized('send `Authorization: Bearer <accessToken>` from POST /api/auth/login');
    }
    const { actor, sessionId } = await this.actorOf(token);
    if (!(await this.sessions.isActive(sessionId))) throw unauthorized('this session has ended (logged out, or the account was disabled); log in again');
    request.actor = actor;
    request.sessionId = sessionId;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && (actor.role === 'system' || !roles.includes(actor.role))) {
      throw ProblemException.of(403, 'ROLE_NOT_ALLOWED', 'You may not do this', `only ${roles.join(', ')} may do this`);
    }
    return true;
  }

  private async actorOf(token: string): Promise<{ actor: Actor; sessionId: string }> {
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
    if (!actor || typeof claims.sid !== 'string') throw unauthorized('the access token is not one of ours; log in again');
    const verified = { actor, sessionId: claims.sid, expiresAtMs: (claims.exp ?? 0) * 1000 };
    if (claims.exp) {
      if (this.verified.size >= REMEMBERED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, verified);
    }
    return verified;
  }
}
