import { assertNever, Command, Decider, DomainEvent, ValidationError } from '../shared';
import { requireClockTime, requireId, nullableId, sameValue } from '../shared/field-validation';
import { authorizeDirectoryChange } from '../directory/directory-rules';
import { addDays, daysBetween, LocalDate, shanghaiDateOf, shanghaiInstant } from '../shared/local-date';

/**
 * A weekly bulletin (每周情况通报) an admin sets up: of a region (a county, say) and optionally one campaign, issued
 * every week on `weekday` (1 Monday … 7 Sunday) at `time` (HH:MM, Asia/Shanghai), reporting the seven days before.
 */
export interface BulletinSchedule {
  readonly scheduleId: string;
  readonly regionId: string;
  readonly campaignId: string | null;
  readonly weekday: number;
  readonly time: string;
}

export type SetBulletinSchedule = Command<'SetBulletinSchedule', BulletinSchedule>;
export type RemoveBulletinSchedule = Command<'RemoveBulletinSchedule', { scheduleId: string }>;
export type BulletinScheduleCommand = SetBulletinSchedule | RemoveBulletinSchedule;

export type BulletinScheduleSet = DomainEvent<'BulletinScheduleSet', BulletinSchedule>;
export type BulletinScheduleRemoved = DomainEvent<'BulletinScheduleRemoved', { scheduleId: string }>;
export type BulletinScheduleEvent = BulletinScheduleSet | BulletinScheduleRemoved;

/** The schedules in force, by id. */
export interface BulletinSchedulesState {
  readonly schedules: Readonly<Record<string, BulletinSchedule>>;
}

/** The one stream of the weekly bulletins' schedules. */
export const BULLETIN_SCHEDULE_STREAM = 'settings-bulletins';

function set(command: SetBulletinSchedule, state: BulletinSchedulesState): BulletinScheduleEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const { data } = command;
  const weekday = data.weekday;
  if (typeof weekday !== 'number' || !Number.isInteger(weekday) || weekday < 1 || weekday > 7)
    throw new ValidationError('weekday', 'weekday must be a whole number from 1 (Monday) to 7 (Sunday)');
  const schedule: BulletinSchedule = {
    scheduleId: requireId(data.scheduleId, 'scheduleId'),
    regionId: requireId(data.regionId, 'regionId'),
    campaignId: nullableId(data.campaignId, 'campaignId'),
    weekday,
    time: requireClockTime(data.time, 'time'),
  };
  if (sameValue(state.schedules[schedule.scheduleId], schedule)) return [];
  return [{ type: 'BulletinScheduleSet', data: schedule }];
}

function remove(command: RemoveBulletinSchedule, state: BulletinSchedulesState): BulletinScheduleEvent[] {
  authorizeDirectoryChange(command.metadata.actor, command.type);
  const scheduleId = requireId(command.data.scheduleId, 'scheduleId');
  return state.schedules[scheduleId] ? [{ type: 'BulletinScheduleRemoved', data: { scheduleId } }] : [];
}

export function evolveBulletinSchedules(
  state: BulletinSchedulesState,
  event: BulletinScheduleEvent,
): BulletinSchedulesState {
  switch (event.type) {
    case 'BulletinScheduleSet':
      return { schedules: { ...state.schedules, [event.data.scheduleId]: event.data } };
    case 'BulletinScheduleRemoved': {
      const { [event.data.scheduleId]: _removed, ...rest } = state.schedules;
      return { schedules: rest };
    }
    default:
      return assertNever(event);
  }
}

/**
 * The weekly bulletins an admin has set up (stream `settings-bulletins`): only an admin changes them, history keeps
 * each change; setting a schedule as it stands, or removing one that is not there, records nothing.
 */
export const bulletinScheduleDecider: Decider<BulletinScheduleCommand, BulletinScheduleEvent, BulletinSchedulesState> =
  {
    initialState: () => ({ schedules: {} }),
    evolve: evolveBulletinSchedules,
    decide: (command, state) => {
      switch (command.type) {
        case 'SetBulletinSchedule':
          return set(command, state);
        case 'RemoveBulletinSchedule':
          return remove(command, state);
        default:
          return assertNever(command);
      }
    },
  };

/**
 * The latest run of a weekly bulletin at `now`: the last `weekday` at `time` (Asia/Shanghai) not after `now`, its
 * figures taken at that instant, reporting the seven days before the run's day (Monday 09:00 reports last Monday to
 * Sunday). Only the latest: a worker down for weeks issues the one bulletin owed now, not each one it missed.
 */
export function latestBulletinRun(
  schedule: Pick<BulletinSchedule, 'weekday' | 'time'>,
  now: Date,
): { runAt: Date; period: { from: LocalDate; to: LocalDate } } {
  const today = shanghaiDateOf(now);
  const [hours, minutes] = schedule.time.split(':').map(Number);
  // 2018-01-01 was a Monday: days since then, mod 7, give the ISO weekday (1 Monday … 7 Sunday).
  const weekdayOf = (date: LocalDate) => (((daysBetween('2018-01-01', date) % 7) + 7) % 7) + 1;
  let day = addDays(today, -((weekdayOf(today) - schedule.weekday + 7) % 7));
  let runAt = new Date(shanghaiInstant(day).getTime() + (hours * 60 + minutes) * 60_000);
  if (runAt.getTime() > now.getTime()) {
    day = addDays(day, -7);
    runAt = new Date(shanghaiInstant(day).getTime() + (hours * 60 + minutes) * 60_000);
  }
  return { runAt, period: { from: addDays(day, -7), to: addDays(day, -1) } };
}
