import { assertNever, Command, Decider, DomainEvent, IllegalTransitionError } from '../shared';
import { requireId, requireText, NAME_MAX_LENGTH } from '../shared/field-validation';
import { authorizeDirectoryChange, requireCategoryCode } from './directory-rules';

export type DefineCategory = Command<'DefineCategory', { categoryId: string; code: string; name: string }>;
export type RenameCategory = Command<'RenameCategory', { name: string }>;
export type CategoryCommand = DefineCategory | RenameCategory;

export type CategoryDefined = DomainEvent<'CategoryDefined', { categoryId: string; code: string; name: string }>;
export type CategoryRenamed = DomainEvent<
  'CategoryRenamed',
  { categoryId: string; name: string; previousName: string }
>;
export type CategoryEvent = CategoryDefined | CategoryRenamed;

export type CategoryState = { readonly status: 'none' } | ({ readonly status: 'active' } & CategoryDefined['data']);

function define(command: DefineCategory, state: CategoryState): CategoryEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const defined = {
    categoryId: requireId(command.data.categoryId, 'categoryId'),
    code: requireCategoryCode(command.data.code),
    name: requireText(command.data.name, 'name', NAME_MAX_LENGTH),
  };
  if (state.status !== 'none') {
    if (state.code === defined.code && state.name === defined.name) return [];
    throw new IllegalTransitionError(command.type, state.status, `category ${state.code} exists`);
  }
  return [{ type: 'CategoryDefined', data: defined }];
}

function rename(command: RenameCategory, state: CategoryState): CategoryEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const name = requireText(command.data.name, 'name', NAME_MAX_LENGTH);
  if (state.status === 'none')
    throw new IllegalTransitionError(command.type, state.status, 'the category does not exist');
  return name === state.name
    ? []
    : [{ type: 'CategoryRenamed', data: { categoryId: state.categoryId, name, previousName: state.name } }];
}

export function evolveCategory(state: CategoryState, event: CategoryEvent): CategoryState {
  switch (event.type) {
    case 'CategoryDefined':
      return { status: 'active', ...event.data };
    case 'CategoryRenamed':
      return state.status === 'active' ? { ...state, name: event.data.name } : state;
    default:
      return assertNever(event);
  }
}

/** A category of problems (危房改造 dangerous-housing, 四个一 four-ones…): stream `category-<id>`. Its code never changes. */
export const categoryDecider: Decider<CategoryCommand, CategoryEvent, CategoryState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveCategory,
  decide: (command, state) => {
    switch (command.type) {
      case 'DefineCategory':
        return define(command, state);
      case 'RenameCategory':
        return rename(command, state);
      default:
        return assertNever(command);
    }
  },
};
