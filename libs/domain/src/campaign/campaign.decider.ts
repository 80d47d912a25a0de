import {
  assertNever,
  compareLocalDates,
  Decider,
  IllegalTransitionError,
  RuleViolationError,
  shanghaiDateOf,
  ValidationError,
} from '../shared';
import { authorizeRole } from '../shared/authorization';
import {
  nullableId,
  nullableText,
  optionalText,
  requireId,
  requireInstant,
  requireLocalDate,
  requirePositiveNumber,
  requireText,
  sameValue,
  NAME_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  UNIT_MAX_LENGTH,
} from '../shared/field-validation';
import { CampaignCommand, LaunchCampaign } from './campaign.commands';
import { CampaignEvent, CampaignLaunched } from './campaign.events';
import { CampaignScope, CampaignState, CampaignTarget, evolveCampaign, initialCampaignState } from './campaign.state';

function launch(command: LaunchCampaign, state: CampaignState): CampaignLaunched[] {
  const { data, metadata } = command;
  authorizeRole(metadata.actor, ['inspector', 'admin'], command.type);
  const launched: CampaignLaunched['data'] = {
    campaignId: requireId(data.campaignId, 'campaignId'),
    name: requireText(data.name, 'name', TITLE_MAX_LENGTH),
    description: optionalText(data.description, 'description'),
    deadline: requireLocalDate(data.deadline, 'deadline'),
    scope: requireScope(data.scope),
    targets: requireTargets(data.targets),
    launchedBy: metadata.actor.userId,
  };
  if (state.status !== 'none') {
    if (sameValue({ ...state, status: null, launchedBy: null }, { ...launched, status: null, launchedBy: null }))
      return [];
    throw new IllegalTransitionError(
      command.type,
      state.status,
      `campaign ${state.campaignId} has already been launched`,
    );
  }
  // A campaign is launched to be worked towards: one already over could link no task (a task's deadline is neither
  // before today nor after its campaign's).
  const today = shanghaiDateOf(requireInstant(metadata.now, 'metadata.now'));
  if (compareLocalDates(launched.deadline, today) < 0)
    throw new RuleViolationError(
      'DEADLINE_IN_PAST',
      `the deadline ${launched.deadline} is before today (${today})`,
      'deadline',
    );
  return [{ type: 'CampaignLaunched', data: launched }];
}

function requireScope(value: unknown): CampaignScope {
  if (value === null || value === undefined) return { regionId: null, category: null };
  if (typeof value !== 'object') throw new ValidationError('scope', 'scope must be { regionId, category }');
  const { regionId, category } = value as Record<string, unknown>;
  return {
    regionId: nullableId(regionId, 'scope.regionId'),
    category: nullableText(category, 'scope.category', TITLE_MAX_LENGTH),
  };
}

function requireTargets(value: unknown): CampaignTarget[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError('targets', 'targets must be a list');
  return value.map((item: unknown, i) => {
    const { label, quantity, unit } = (typeof item === 'object' && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    return {
      label: requireText(label, `targets[${i}].label`, NAME_MAX_LENGTH),
      quantity: requirePositiveNumber(quantity, `targets[${i}].quantity`),
      unit: requireText(unit, `targets[${i}].unit`, UNIT_MAX_LENGTH),
    };
  });
}

export function decideCampaign(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  switch (command.type) {
    case 'LaunchCampaign':
      return launch(command, state);
    default:
      return assertNever(command.type);
  }
}

/** The campaign (专项行动) stream: `campaign-<campaignId>`. */
export const campaignDecider: Decider<CampaignCommand, CampaignEvent, CampaignState> = {
  initialState: initialCampaignState,
  evolve: evolveCampaign,
  decide: decideCampaign,
};
