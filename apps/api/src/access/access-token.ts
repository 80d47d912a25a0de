import { Actor, Role, ROLES } from '@zhenggai/domain';

/** The claims of our bearer tokens. */
export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: Role;
  unitId: string | null;
  /** The region subtree the user works in (null: the whole tree). A change of it ends the user's sessions. */
  scope?: string | null;
  /** The session the token belongs to: logging out or disabling the account ends it, and the token with it. */
  sid: string;
}

export function claimsOf(actor: Actor, sessionId: string): AccessTokenClaims {
  if (actor.role === 'system') throw new Error('the engine itself never holds a token');
  return {
    sub: actor.userId,
    username: actor.username,
    role: actor.role,
    unitId: actor.unitId ?? null,
    scope: actor.regionScopeId ?? null,
    sid: sessionId,
  };
}

export function actorOf(claims: Partial<AccessTokenClaims>): Actor | null {
  if (typeof claims.sub !== 'string' || typeof claims.username !== 'string') return null;
  if (!ROLES.includes(claims.role as Role)) return null;
  return {
    userId: claims.sub,
    username: claims.username,
    role: claims.role as Role,
    unitId: claims.unitId ?? null,
    regionScopeId: claims.scope ?? null,
  };
}
