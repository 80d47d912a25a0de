import { Role } from '@zhenggai/domain';

export const USER_REPOSITORY = Symbol('UserRepository');

/** A user as sign-in needs it: the directory's account and its credential. */
export interface UserAccount {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly unitId: string | null;
  readonly regionScopeId: string | null;
  /** Null until a password is set (an account registered by another instance that crashed before storing it). */
  readonly passwordHash: string | null;
  readonly disabled: boolean;
}

/**
 * The accounts of the directory (kept from `user-` streams by the directory's `apply`) with their credentials,
 * which are never events: a password hash in history could never be erased.
 */
export interface UserRepository {
  /** Compared without case. */
  findByUsername(username: string): Promise<UserAccount | null>;
  findById(id: string): Promise<UserAccount | null>;
  /** The accounts of these ids that exist, in one read (a page naming the people behind its entries). */
  findByIds(ids: readonly string[]): Promise<UserAccount[]>;
  list(): Promise<UserAccount[]>;
  /** The enabled accounts of a role (and, given one, of a unit), as stored now. */
  listEnabled(role: Role, unitId?: string): Promise<UserAccount[]>;
  count(): Promise<number>;
  /** With `keepExisting`, only an account without a password gets this one. */
  setPasswordHash(userId: string, passwordHash: string, options?: { keepExisting?: boolean }): Promise<void>;
}
