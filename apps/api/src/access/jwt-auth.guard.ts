import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Role } from '@zhenggai/domain';
import { ProblemException } from '../http/problem-details';
import { AuthenticatedRequest } from './authenticated-request';
import { BearerAuthenticator } from './bearer-authenticator';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';

/** Every route needs a valid bearer token unless marked `@Public()`; `@Roles()` narrows who may call it. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: BearerAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { actor, sessionId } = await this.authenticator.authenticate(request);
    request.actor = actor;
    request.sessionId = sessionId;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && (actor.role === 'system' || !roles.includes(actor.role))) {
      throw ProblemException.of(403, 'ROLE_NOT_ALLOWED', 'You may not do this', `only ${roles.join(', ')} may do this`);
    }
    return true;
  }
}
