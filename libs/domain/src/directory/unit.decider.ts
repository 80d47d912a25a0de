import { assertNever, Command, Decider, DomainEvent, IllegalTransitionError, ValidationError } from '../shared';
import {
  nullableText,
  requireClockTime,
  requireId,
  requireText,
  NAME_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from '../shared/field-validation';
import { authorizeDirectoryChange } from './directory-rules';

/**
 * What a channel can be sent: the ladder's reminders and escalations, and the notices of each hand-over (a new task,
 * one handed away, a send-back, an extension approved or refused, a reopening, a submission or an extension request
 * to check), the daily digest (每日督办简报) of an inspection office or a leader, and a weekly bulletin (情况通报).
 */
export const MESSAGE_KINDS = [
  'reminder',
  'escalation',
  'assigned',
  'reassigned_away',
  'sent_back',
  'extension_approved',
  'extension_refused',
  'reopened',
  'submitted',
  'extension_requested',
  'digest',
  'bulletin',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Whether a channel that takes `takes` (null or absent: everything) is sent a message of `kind`. */
export const channelTakes = (takes: readonly MessageKind[] | null | undefined, kind: MessageKind): boolean =>
  !takes || takes.includes(kind);

/**
 * Where a unit's reminders go besides the inbox, as history keeps it: the kind and audience of each channel, its
 * address masked (robot tokens and signing secrets are configuration, not history), and which kinds of message it
 * takes (absent: all).
 */
export interface UnitChannelSummary {
  readonly kind: string;
  readonly audience: 'unit' | 'head';
  readonly address: string;
  readonly takes?: readonly MessageKind[];
  /** An e-mail address's quiet hours (免打扰, Asia/Shanghai HH:MM): nothing is sent to it from `from` to `to`. */
  readonly quietHours?: { readonly from: string; readonly to: string };
}

export interface UnitDetails {
  readonly name: string;
  readonly headName: string | null;
  readonly contact: string | null;
}

export type RegisterUnit = Command<'RegisterUnit', { unitId: string; regionId: string } & UnitDetails>;
export type ChangeUnitDetails = Command<'ChangeUnitDetails', UnitDetails>;
export type SetUnitChannels = Command<'SetUnitChannels', { channels: readonly UnitChannelSummary[] }>;
export type UnitCommand = RegisterUnit | ChangeUnitDetails | SetUnitChannels;

export type UnitRegistered = DomainEvent<'UnitRegistered', { unitId: string; regionId: string } & UnitDetails>;
export type UnitDetailsChanged = DomainEvent<'UnitDetailsChanged', { unitId: string } & UnitDetails>;
export type UnitChannelsChanged = DomainEvent<
  'UnitChannelsChanged',
  { unitId: string; channels: readonly UnitChannelSummary[] }
>;
export type UnitEvent = UnitRegistered | UnitDetailsChanged | UnitChannelsChanged;

export type UnitState =
  | { readonly status: 'none' }
  | ({ readonly status: 'active'; readonly channels: readonly UnitChannelSummary[] } & UnitRegistered['data']);

function details(data: UnitDetails): UnitDetails {
  return {
    name: requireText(data.name, 'name', NAME_MAX_LENGTH),
    headName: nullableText(data.headName, 'headName', NAME_MAX_LENGTH),
    contact: nullableText(data.contact, 'contact', TITLE_MAX_LENGTH),
  };
}

function register(command: RegisterUnit, state: UnitState): UnitEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const registered: UnitRegistered['data'] = {
    unitId: requireId(command.data.unitId, 'unitId'),
    regionId: requireId(command.data.regionId, 'regionId'),
    ...details(command.data),
  };
  if (state.status !== 'none') {
    const same =
      state.regionId === registered.regionId &&
      state.name === registered.name &&
      state.headName === registered.headName &&
      state.contact === registered.contact;
    if (same) return [];
    throw new IllegalTransitionError(command.type, state.status, `unit ${state.unitId} exists`);
  }
  return [{ type: 'UnitRegistered', data: registered }];
}

function change(command: ChangeUnitDetails, state: UnitState): UnitEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const changed = details(command.data);
  if (state.status === 'none') throw new IllegalTransitionError(command.type, state.status, 'the unit does not exist');
  if (state.name === changed.name && state.headName === changed.headName && state.contact === changed.contact)
    return [];
  return [{ type: 'UnitDetailsChanged', data: { unitId: state.unitId, ...changed } }];
}

function setChannels(command: SetUnitChannels, state: UnitState): UnitEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  if (!Array.isArray(command.data.channels)) throw new ValidationError('channels', 'channels must be a list');
  const channels = command.data.channels.map((c, i) => ({
    kind: requireText(c.kind, `channels[${i}].kind`, 40),
    audience: c.audience === 'head' ? ('head' as const) : ('unit' as const),
    address: requireText(c.address, `channels[${i}].address`),
    ...(c.takes === undefined || c.takes === null ? {} : { takes: messageKinds(c.takes, `channels[${i}].takes`) }),
    ...(c.quietHours === undefined || c.quietHours === null
      ? {}
      : { quietHours: quietHours(c.quietHours, `channels[${i}].quietHours`) }),
  }));
  if (state.status === 'none') throw new IllegalTransitionError(command.type, state.status, 'the unit does not exist');
  if (JSON.stringify(channels) === JSON.stringify(state.channels)) return [];
  return [{ type: 'UnitChannelsChanged', data: { unitId: state.unitId, channels } }];
}

/** A channel's preference: a non-empty list of known kinds, each once, in the order of MESSAGE_KINDS. */
function messageKinds(takes: unknown, field: string): MessageKind[] {
  if (!Array.isArray(takes) || takes.length === 0 || takes.some((k) => !MESSAGE_KINDS.includes(k))) {
    throw new ValidationError(field, `${field} must list one or more of ${MESSAGE_KINDS.join(', ')}`);
  }
  return MESSAGE_KINDS.filter((k) => takes.includes(k));
}

function quietHours(value: { from: string; to: string }, field: string): { from: string; to: string } {
  return { from: requireClockTime(value?.from, `${field}.from`), to: requireClockTime(value?.to, `${field}.to`) };
}

export function evolveUnit(state: UnitState, event: UnitEvent): UnitState {
  switch (event.type) {
    case 'UnitRegistered':
      return { status: 'active', channels: [], ...event.data };
    case 'UnitDetailsChanged':
      return state.status === 'active' ? { ...state, ...event.data } : state;
    case 'UnitChannelsChanged':
      return state.status === 'active' ? { ...state, channels: event.data.channels } : state;
    default:
      return assertNever(event);
  }
}

/** A responsible unit (责任单位) or an office, in one region: stream `unit-<id>`. */
export const unitDecider: Decider<UnitCommand, UnitEvent, UnitState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveUnit,
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterUnit':
        return register(command, state);
      case 'ChangeUnitDetails':
        return change(command, state);
      case 'SetUnitChannels':
        return setChannels(command, state);
      default:
        return assertNever(command);
    }
  },
};
