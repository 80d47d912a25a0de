export const ROLES = ['inspector', 'unit', 'leader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting. Comes in with every command's metadata and is recorded on every event. */
export interface Actor {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  /** The unit the user belongs to: required for unit users, optional for others (e.g. the supervision office). */
  readonly unitId?: string | null;
}
