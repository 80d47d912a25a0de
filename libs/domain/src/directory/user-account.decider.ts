import {
  assertNever,
  Command,
  Decider,
  DomainEvent,
  ForbiddenError,
  IllegalTransitionError,
  Role,
  RuleViolationError,
  ValidationError,
} from '../shared';
import { nullableId, requireId, requireText, NAME_MAX_LENGTH } from '../shared/field-validation';
import { authorizeDirectoryChange, requireRole, requireUsername } from './directory-rules';

/** What a user may reach: its role, its unit, and the region subtree it works in (null: the whole tree). */
export interface UserAccess {
  readonly displayName: string;
  readonly role: Role;
  readonly unitId: string | null;
  readonly regionScopeId: string | null;
}

export type RegisterUser = Command<'RegisterUser', { userId: string; username: string } & UserAccess>;
export type ChangeUserAccess = Command<'ChangeUserAccess', UserAccess>;
export type DisableUser = Command<'DisableUser', Record<string, never>>;
export type EnableUser = Command<'EnableUser', Record<string, never>>;
/** Records that a password was set; the hash itself is a credential, never history. */
export type RecordPasswordChange = Command<'RecordPasswordChange', Record<string, never>>;
export type UserAccountCommand = RegisterUser | ChangeUserAccess | DisableUser | EnableUser | RecordPasswordChange;

export type UserRegistered = DomainEvent<'UserRegistered', { userId: string; username: string } & UserAccess>;
export type UserAccessChanged = DomainEvent<'UserAccessChanged', { userId: string } & UserAccess>;
export type UserDisabled = DomainEvent<'UserDisabled', { userId: string }>;
export type UserEnabled = DomainEvent<'UserEnabled', { userId: string }>;
export type UserPasswordChanged = DomainEvent<'UserPasswordChanged', { userId: string; by: 'admin' | 'self' }>;
export type UserAccountEvent = UserRegistered | UserAccessChanged | UserDisabled | UserEnabled | UserPasswordChanged;

export type UserAccountState =
  { readonly status: 'none' } | ({ readonly status: 'active' | 'disabled' } & UserRegistered['data']);

/**
 * A unit user reaches its unit's tasks, so it needs a unit and no region scope; an admin runs the whole
 * directory, so it has no scope either; inspectors and leaders may be limited to a subtree.
 */
function access(data: UserAccess): UserAccess {
  const role = requireRole(data.role);
  const unitId = nullableId(data.unitId, 'unitId');
  const regionScopeId = nullableId(data.regionScopeId, 'regionScopeId');
  if (role === 'unit' && !unitId) throw new ValidationError('unitId', 'a unit user needs a unitId');
  if ((role === 'unit' || role === 'admin') && regionScopeId) {
    throw new ValidationError(
      'regionScopeId',
      role === 'unit'
        ? "a unit user reaches its unit's tasks: it takes no region scope"
        : 'an admin runs the whole directory: it takes no region scope',
    );
  }
  return { displayName: requireText(data.displayName, 'displayName', NAME_MAX_LENGTH), role, unitId, regionScopeId };
}

const sameAccess = (a: UserAccess, b: UserAccess) =>
  a.displayName === b.displayName && a.role === b.role && a.unitId === b.unitId && a.regionScopeId === b.regionScopeId;

function register(command: RegisterUser, state: UserAccountState): UserAccountEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const registered = {
    userId: requireId(command.data.userId, 'userId'),
    username: requireUsername(command.data.username),
    ...access(command.data),
  };
  if (state.status !== 'none') {
    if (state.username === registered.username && sameAccess(state, registered)) return [];
    throw new IllegalTransitionError(command.type, state.status, `user ${state.username} exists`);
  }
  return [{ type: 'UserRegistered', data: registered }];
}

function existing(command: UserAccountCommand, state: UserAccountState): Exclude<UserAccountState, { status: 'none' }> {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  if (state.status === 'none') throw new IllegalTransitionError(command.type, state.status, 'the user does not exist');
  return state;
}

function changeAccess(command: ChangeUserAccess, state: UserAccountState): UserAccountEvent[] {
  const user = existing(command, state);
  const changed = access(command.data);
  if (sameAccess(user, changed)) return [];
  if (user.userId === command.metadata.actor.userId && changed.role !== 'admin') {
    throw new RuleViolationError('SELF_DEMOTION', 'an admin cannot take the admin role from their own account', 'role');
  }
  return [{ type: 'UserAccessChanged', data: { userId: user.userId, ...changed } }];
}

function disable(command: DisableUser, state: UserAccountState): UserAccountEvent[] {
  const user = existing(command, state);
  if (user.userId === command.metadata.actor.userId)
    throw new RuleViolationError('SELF_DISABLE', 'an admin cannot disable their own account', 'id');
  return user.status === 'disabled' ? [] : [{ type: 'UserDisabled', data: { userId: user.userId } }];
}

function enable(command: EnableUser, state: UserAccountState): UserAccountEvent[] {
  const user = existing(command, state);
  return user.status === 'active' ? [] : [{ type: 'UserEnabled', data: { userId: user.userId } }];
}

function passwordChanged(command: RecordPasswordChange, state: UserAccountState): UserAccountEvent[] {
  const { actor } = command.metadata;
  if (state.status === 'none') throw new IllegalTransitionError(command.type, state.status, 'the user does not exist');
  if (actor.userId === state.userId)
    return [{ type: 'UserPasswordChanged', data: { userId: state.userId, by: 'self' } }];
  if (actor.role !== 'admin')
    throw new ForbiddenError('ROLE_NOT_ALLOWED', "only an admin sets another user's password");
  return [{ type: 'UserPasswordChanged', data: { userId: state.userId, by: 'admin' } }];
}

export function evolveUserAccount(state: UserAccountState, event: UserAccountEvent): UserAccountState {
  switch (event.type) {
    case 'UserRegistered':
      return { status: 'active', ...event.data };
    case 'UserAccessChanged':
      return state.status === 'none' ? state : { ...state, ...event.data };
    case 'UserDisabled':
      return state.status === 'none' ? state : { ...state, status: 'disabled' };
    case 'UserEnabled':
      return state.status === 'none' ? state : { ...state, status: 'active' };
    case 'UserPasswordChanged':
      return state;
    default:
      return assertNever(event);
  }
}

/** A user account (its role, unit and region scope; never its password): stream `user-<id>`. */
export const userAccountDecider: Decider<UserAccountCommand, UserAccountEvent, UserAccountState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveUserAccount,
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterUser':
        return register(command, state);
      case 'ChangeUserAccess':
        return changeAccess(command, state);
      case 'DisableUser':
        return disable(command, state);
      case 'EnableUser':
        return enable(command, state);
      case 'RecordPasswordChange':
        return passwordChanged(command, state);
      default:
        return assertNever(command);
    }
  },
};
