import { Actor, ForbiddenError, IllegalTransitionError, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { CategoryCommand, categoryDecider, CategoryDefined } from './category.decider';

const spec = DeciderSpecification.for(categoryDecider);
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const leader: Actor = { userId: 'user-wang', username: 'wang', role: 'leader', unitId: null };
const command = <C extends CategoryCommand>(type: C['type'], data: C['data'], actor = admin) =>
  ({ type, data, metadata: { actor, now: '2018-05-01T09:00:00+08:00', correlationId: 'c-1' } }) as C;
const defined: CategoryDefined = {
  type: 'CategoryDefined',
  data: { categoryId: 'cat-1', code: 'dangerous-housing', name: '危房改造' },
};

describe('a category of problems', () => {
  it('an admin defines one by a stable code and a name', () => {
    spec
      .given([])
      .when(command('DefineCategory', { categoryId: 'cat-1', code: 'dangerous-housing', name: ' 危房改造 ' }))
      .then([defined]);
    spec
      .given([defined])
      .when(command('DefineCategory', { categoryId: 'cat-1', code: 'dangerous-housing', name: '危房改造' }))
      .thenNothing();
    spec
      .given([defined])
      .when(command('DefineCategory', { categoryId: 'cat-1', code: 'four-ones', name: '四个一' }))
      .thenThrows(IllegalTransitionError);
  });

  it.each([['Dangerous Housing'], ['-x'], [''], ['危房']])('refuses the code %p', (code) => {
    spec
      .given([])
      .when(command('DefineCategory', { categoryId: 'cat-1', code, name: '危房改造' }))
      .thenThrows(ValidationError, { field: 'code' });
  });

  it('is renamed; its code stays', () => {
    spec
      .given([defined])
      .when(command('RenameCategory', { name: '农村危房改造' }))
      .then([
        { type: 'CategoryRenamed', data: { categoryId: 'cat-1', name: '农村危房改造', previousName: '危房改造' } },
      ]);
    spec
      .given([defined])
      .when(command('RenameCategory', { name: '危房改造' }))
      .thenNothing();
  });

  it('a leader reads categories but defines none', () => {
    spec
      .given([])
      .when(command('DefineCategory', { categoryId: 'cat-1', code: 'x', name: 'x' }, leader))
      .thenThrows(ForbiddenError, 'READ_ONLY_ROLE');
  });
});
