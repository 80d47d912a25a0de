import { Actor, Role, ROLES } from '@zhenggai/domain';

/** The claims of our bearer tokens. */
export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: Role;
  unitId: string | null;
}

export function claimsOf(actor: Actor): AccessTokenClaims {
  if (actor.role === 'system') throw new Error('the engine itself never holds a token');
  return { sub: actor.userId, username: actor.username, role: actor.role, unitId: actor.unitId ?? null };
}

export function actorOf(claims: Partial<AccessTokenClaims>): Actor | null {
  if (typeof claims.sub !== 'string' || typeof claims.username !== 'string') return null;
  if (!ROLES.includes(claims.role as Role)) return null;
  return { userId: claims.sub, username: claims.username, role: claims.role as Role, unitId: claims.unitId ?? null };
}
