export const ROLES = ['inspector', 'unit', 'leader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting. Comes in with every command's metadata and is recorded on every event. */
export interface Actor {
  readonly userId: string;
  readonly username: string;
  /** `system`: the engine itself (reminder jobs, reactors), never a user account. */
  readonly role: Role | 'system';
  /** The unit the user belongs to: required for unit users, optional for others (e.g. the supervision office). */
  readonly unitId?: string | null;
  /**
   * The region subtree an inspector or a leader works in; null or absent: the whole tree. A unit user reaches
   * its unit's tasks instead, and an admin everything.
   */
  readonly regionScopeId?: string | null;
}

/** The engine acting on its own (a reminder falling due): recorded as the actor of what it appends. */
export const SYSTEM_ACTOR: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  username: 'system',
  role: 'system',
  unitId: null,
};
