import { assertNever, Command, Decider, DomainEvent } from '../shared';
import { requireClockTime } from '../shared/field-validation';
import { authorizeDirectoryChange } from './directory-rules';

/**
 * Sets when the daily digest (每日督办简报) goes out, HH:MM in Asia/Shanghai. `configuredTime` is the time in force
 * while none was ever set (`DIGEST_TIME`): the first setting records it as the time it replaces.
 */
export type SetDigestTime = Command<'SetDigestTime', { time: string; configuredTime: string }>;
export type DigestScheduleCommand = SetDigestTime;

export type DigestTimeSet = DomainEvent<'DigestTimeSet', { time: string; previousTime: string }>;
export type DigestScheduleEvent = DigestTimeSet;

/** The time an admin last set, or null while the configured one is in force. */
export interface DigestScheduleState {
  readonly time: string | null;
}

/** The one stream of the digest's schedule. */
export const DIGEST_SCHEDULE_STREAM = 'settings-digest';

/** The event types of the admin's settings, for the audit, which keeps them with the directory's changes. */
export const SETTINGS_EVENT_PREFIXES = ['DigestTime', 'BulletinSchedule'] as const;

function setTime(command: SetDigestTime, state: DigestScheduleState): DigestScheduleEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const time = requireClockTime(command.data.time, 'time');
  const previousTime = state.time ?? requireClockTime(command.data.configuredTime, 'configuredTime');
  if (time === previousTime) return [];
  return [{ type: 'DigestTimeSet', data: { time, previousTime } }];
}

export function evolveDigestSchedule(state: DigestScheduleState, event: DigestScheduleEvent): DigestScheduleState {
  switch (event.type) {
    case 'DigestTimeSet':
      return { time: event.data.time };
    default:
      return assertNever(event.type);
  }
}

/**
 * When the daily digest goes out, as an admin sets it (stream `settings-digest`): only an admin changes it, and
 * history keeps each change with the time it replaced; setting the time in force again records nothing.
 */
export const digestScheduleDecider: Decider<DigestScheduleCommand, DigestScheduleEvent, DigestScheduleState> = {
  initialState: () => ({ time: null }),
  evolve: evolveDigestSchedule,
  decide: (command, state) => {
    switch (command.type) {
      case 'SetDigestTime':
        return setTime(command, state);
      default:
        return assertNever(command.type);
    }
  },
};
