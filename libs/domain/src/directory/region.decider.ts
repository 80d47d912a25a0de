import {
  assertNever,
  Command,
  Decider,
  DomainEvent,
  IllegalTransitionError,
  RuleViolationError,
  ValidationError,
} from '../shared';
import { requireId, requireText, NAME_MAX_LENGTH } from '../shared/field-validation';
import {
  authorizeDirectoryChange,
  childCodePrefix,
  REGION_LEVEL_LABELS,
  REGION_LEVELS,
  RegionLevel,
  requireRegionCode,
  requireRegionLevel,
} from './directory-rules';

/** The parent as the directory knows it when a region is added under it. */
export interface ParentRegion {
  readonly regionId: string;
  readonly code: string;
  readonly level: RegionLevel;
  /** Its ancestors from the top, then itself. */
  readonly path: readonly string[];
}

export type CreateRegion = Command<
  'CreateRegion',
  { regionId: string; code: string; name: string; level: RegionLevel; parent: ParentRegion | null }
>;
export type RenameRegion = Command<'RenameRegion', { name: string }>;
export type RegionCommand = CreateRegion | RenameRegion;

export type RegionCreated = DomainEvent<
  'RegionCreated',
  {
    regionId: string;
    code: string;
    name: string;
    level: RegionLevel;
    parentId: string | null;
    /** From the top of the tree down to this region itself. A region never moves, so this never changes. */
    path: readonly string[];
  }
>;
export type RegionRenamed = DomainEvent<'RegionRenamed', { regionId: string; name: string; previousName: string }>;
export type RegionEvent = RegionCreated | RegionRenamed;

export type RegionState = { readonly status: 'none' } | ({ readonly status: 'active' } & RegionCreated['data']);

function create(command: CreateRegion, state: RegionState): RegionEvent[] {
  const { data, metadata } = command;
  authorizeDirectoryChange(metadata.actor, command.type);
  const level = requireRegionLevel(data.level);
  const created: RegionCreated['data'] = {
    regionId: requireId(data.regionId, 'regionId'),
    code: requireRegionCode(data.code, level),
    name: requireText(data.name, 'name', NAME_MAX_LENGTH),
    level,
    parentId: data.parent?.regionId ?? null,
    path: [...(data.parent?.path ?? []), data.regionId],
  };
  const parent = data.parent;
  if (parent) {
    const expected = REGION_LEVELS[REGION_LEVELS.indexOf(parent.level) + 1];
    if (level !== expected) {
      throw new RuleViolationError(
        'REGION_LEVEL',
        expected
          ? `a region under a ${parent.level} ` +
              `(${REGION_LEVEL_LABELS[parent.level]}) is a ${expected} (${REGION_LEVEL_LABELS[expected]})`
          : 'a village has no regions under it',
        'level',
      );
    }
    if (!created.code.startsWith(childCodePrefix(parent))) {
      throw new ValidationError(
        'code',
        `the code of a region under ${parent.code} begins with ${childCodePrefix(parent)}`,
      );
    }
  }
  if (state.status !== 'none') {
    const { status: _status, ...existing } = state;
    if (JSON.stringify(existing) === JSON.stringify(created)) return [];
    throw new IllegalTransitionError(command.type, state.status, `region ${state.regionId} exists`);
  }
  return [{ type: 'RegionCreated', data: created }];
}

function rename(command: RenameRegion, state: RegionState): RegionEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const name = requireText(command.data.name, 'name', NAME_MAX_LENGTH);
  if (state.status === 'none')
    throw new IllegalTransitionError(command.type, state.status, 'the region does not exist');
  if (name === state.name) return [];
  return [{ type: 'RegionRenamed', data: { regionId: state.regionId, name, previousName: state.name } }];
}

export function evolveRegion(state: RegionState, event: RegionEvent): RegionState {
  switch (event.type) {
    case 'RegionCreated':
      return { status: 'active', ...event.data };
    case 'RegionRenamed':
      return state.status === 'active' ? { ...state, name: event.data.name } : state;
    default:
      return assertNever(event);
  }
}

/** A region of the jurisdiction tree (市 › 县 › 乡镇 › 村): stream `region-<id>`. */
export const regionDecider: Decider<RegionCommand, RegionEvent, RegionState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveRegion,
  decide: (command, state) => {
    switch (command.type) {
      case 'CreateRegion':
        return create(command, state);
      case 'RenameRegion':
        return rename(command, state);
      default:
        return assertNever(command);
    }
  },
};
