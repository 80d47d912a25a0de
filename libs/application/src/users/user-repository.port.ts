import { Role } from '@zhenggai/domain';

export const USER_REPOSITORY = Symbol('UserRepository');

export interface UserAccount {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly unitId: string | null;
  readonly passwordHash: string;
  readonly disabled: boolean;
}

export type NewUserAccount = Omit<UserAccount, 'disabled'>;

export interface UserRepository {
  findByUsername(username: string): Promise<UserAccount | null>;
  findById(id: string): Promise<UserAccount | null>;
  list(): Promise<UserAccount[]>;
  /** Throws `UsernameTakenError` when the username exists. */
  create(user: NewUserAccount): Promise<void>;
  count(): Promise<number>;
  /** Disables or enables an account; false when there is no such account. */
  setDisabled(id: string, disabled: boolean): Promise<boolean>;
}

export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`username ${username} is taken`);
  }
}
