import { Actor, ForbiddenError, IllegalTransitionError, RuleViolationError, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { RegisterUser, UserAccountCommand, userAccountDecider, UserRegistered } from './user-account.decider';

const spec = DeciderSpecification.for(userAccountDecider);
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const inspector: Actor = { userId: 'user-li', username: 'li', role: 'inspector', unitId: 'unit-office' };
const meta = (actor = admin) => ({ actor, now: '2018-05-01T09:00:00+08:00', correlationId: 'c-1' });

const register = (data: Partial<RegisterUser['data']> = {}, actor = admin): RegisterUser => ({
  type: 'RegisterUser',
  data: {
    userId: 'user-zhao',
    username: 'zhao.funan',
    displayName: '阜南县督查室 赵',
    role: 'inspector',
    unitId: null,
    regionScopeId: 'r-funan',
    ...data,
  },
  metadata: meta(actor),
});
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'user-zhao',
    username: 'zhao.funan',
    displayName: '阜南县督查室 赵',
    role: 'inspector',
    unitId: null,
    regionScopeId: 'r-funan',
  },
};
const command = <C extends UserAccountCommand>(type: C['type'], data: C['data'], actor = admin) =>
  ({ type, data, metadata: meta(actor) }) as C;

describe('a user account', () => {
  it('an admin registers an inspector limited to a county', () => {
    spec.given([]).when(register()).then([registered]);
    spec.given([registered]).when(register()).thenNothing();
    spec
      .given([registered])
      .when(register({ role: 'leader' }))
      .thenThrows(IllegalTransitionError);
  });

  it('a unit user needs a unit and takes no region scope; an admin takes none either', () => {
    spec
      .given([])
      .when(register({ role: 'unit', unitId: null, regionScopeId: null }))
      .thenThrows(ValidationError, { field: 'unitId' });
    spec
      .given([])
      .when(register({ role: 'unit', unitId: 'unit-wangyan' }))
      .thenThrows(ValidationError, { field: 'regionScopeId' });
    spec
      .given([])
      .when(register({ role: 'admin' }))
      .thenThrows(ValidationError, { field: 'regionScopeId' });
    spec
      .given([])
      .when(register({ role: 'unit', unitId: 'unit-wangyan', regionScopeId: null }))
      .thenState({ status: 'active', unitId: 'unit-wangyan' });
  });

  it.each([
    ['username', { username: 'a' }],
    ['username', { username: 'zhao funan' }],
    ['username', { username: "x'; DROP TABLE users;--" }],
    ['role', { role: 'root' as never }],
    ['displayName', { displayName: '' }],
  ])('refuses malformed input: %s', (field, data) => {
    spec.given([]).when(register(data)).thenThrows(ValidationError, { field });
  });

  it('its role, unit and scope change as one recorded change', () => {
    const access = { displayName: '阜南县委领导', role: 'leader' as const, unitId: null, regionScopeId: 'r-funan' };
    spec
      .given([registered])
      .when(command('ChangeUserAccess', access))
      .then([{ type: 'UserAccessChanged', data: { userId: 'user-zhao', ...access } }]);
    spec
      .given([registered])
      .when(
        command('ChangeUserAccess', {
          displayName: '阜南县督查室 赵',
          role: 'inspector',
          unitId: null,
          regionScopeId: 'r-funan',
        }),
      )
      .thenNothing();
  });

  it('an admin cannot demote or disable their own account', () => {
    const self: UserRegistered = {
      type: 'UserRegistered',
      data: {
        userId: 'user-admin',
        username: 'admin',
        displayName: '管理员',
        role: 'admin',
        unitId: null,
        regionScopeId: null,
      },
    };
    spec
      .given([self])
      .when(command('ChangeUserAccess', { displayName: '管理员', role: 'leader', unitId: null, regionScopeId: null }))
      .thenThrows(RuleViolationError, 'SELF_DEMOTION');
    spec.given([self]).when(command('DisableUser', {})).thenThrows(RuleViolationError, 'SELF_DISABLE');
  });

  it('disabling and enabling are recorded once each', () => {
    spec
      .given([registered])
      .when(command('DisableUser', {}))
      .then([{ type: 'UserDisabled', data: { userId: 'user-zhao' } }]);
    const disabled = [registered, { type: 'UserDisabled' as const, data: { userId: 'user-zhao' } }];
    spec.given(disabled).when(command('DisableUser', {})).thenNothing();
    spec
      .given(disabled)
      .when(command('EnableUser', {}))
      .then([{ type: 'UserEnabled', data: { userId: 'user-zhao' } }]);
    spec.given([registered]).when(command('EnableUser', {})).thenNothing();
  });

  it('a password change is recorded without the password: by the user, or by an admin for another', () => {
    spec
      .given([registered])
      .when(command('RecordPasswordChange', {}))
      .then([{ type: 'UserPasswordChanged', data: { userId: 'user-zhao', by: 'admin' } }]);
    spec
      .given([registered])
      .when(command('RecordPasswordChange', {}, { ...inspector, userId: 'user-zhao' }))
      .then([{ type: 'UserPasswordChanged', data: { userId: 'user-zhao', by: 'self' } }]);
    spec
      .given([registered])
      .when(command('RecordPasswordChange', {}, inspector))
      .thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
  });

  it('only an admin manages accounts', () => {
    spec.given([]).when(register({}, inspector)).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
    spec
      .given([registered])
      .when(command('DisableUser', {}, inspector))
      .thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
    spec.given([]).when(command('DisableUser', {})).thenThrows(IllegalTransitionError);
  });
});
