import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Role } from '@zhenggai/domain';
import { ProblemException } from '../http/problem-details';
import { AccessTokenClaims, actorOf } from './access-token';
import { AuthenticatedRequest, headerOf } from './authenticated-request';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';

const unauthorized = (detail: string) => ProblemException.of(401, 'UNAUTHENTICATED', 'Authentication required', detail);

/** Every route needs a valid bearer token unless marked `@Public()`; `@Roles()` narrows who may call it. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (headerOf(request, 'authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw unauthorized('send `Authorization: Bearer <accessToken>` from POST /api/auth/login');
    }
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token);
    } catch {
      throw unauthorized('the access token is invalid or has expired; log in again');
    }
    const actor = actorOf(claims);
    if (!actor) throw unauthorized('the access token is not one of ours; log in again');
    request.actor = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(actor.role)) {
      throw ProblemException.of(403, 'ROLE_NOT_ALLOWED', 'You may not do this', `only ${roles.join(', ')} may do this`);
    }
    return true;
  }
}
