import { Actor, Role } from './actor';
import { ForbiddenError } from './domain-error';

/** Leaders read everything and change nothing; every other role issues only the commands listed for it. */
export function authorizeRole(actor: Actor, allowed: readonly Role[], commandType: string): void {
  if (actor.role === 'leader') {
    throw new ForbiddenError('READ_ONLY_ROLE', `a leader may read but not issue ${commandType}`);
  }
  if (actor.role === 'system' || !allowed.includes(actor.role)) {
    throw new ForbiddenError('ROLE_NOT_ALLOWED', `a ${actor.role} may not issue ${commandType}`);
  }
}
