import { addDays, ValidationError } from '../shared';
import {
  DEFAULT_REMINDER_POLICY,
  latestDeadlineDueBy,
  levelDueAt,
  levelDueTime,
  ReminderLevel,
  ReminderPolicy,
  validateReminderLevels,
  warningDaysOf,
} from './reminder-policy';

describe('a reminder ladder given as data', () => {
  it('accepts the default ladder as it is', () => {
    expect(validateReminderLevels(DEFAULT_REMINDER_POLICY.levels)).toEqual(DEFAULT_REMINDER_POLICY.levels);
  });

  it.each([
    [[], 'levels'],
    [
      [{ level: 'Urge', label: '催办', kind: 'escalation', offset: { days: 1, hourOfDay: 9 }, recipients: ['unit'] }],
      'levels[0].level',
    ],
    [
      [{ level: 'urge', label: '', kind: 'escalation', offset: { days: 1, hourOfDay: 9 }, recipients: ['unit'] }],
      'levels[0].label',
    ],
    [
      [{ level: 'urge', label: '催办', kind: 'loud', offset: { days: 1, hourOfDay: 9 }, recipients: ['unit'] }],
      'levels[0].kind',
    ],
    [
      [{ level: 'urge', label: '催办', kind: 'escalation', offset: { days: 1, hourOfDay: 24 }, recipients: ['unit'] }],
      'levels[0].offset.hourOfDay',
    ],
    [
      [{ level: 'urge', label: '催办', kind: 'escalation', offset: { days: 1.5, hourOfDay: 9 }, recipients: ['unit'] }],
      'levels[0].offset.days',
    ],
    [
      [{ level: 'urge', label: '催办', kind: 'escalation', offset: { hours: 'soon' }, recipients: ['unit'] }],
      'levels[0].offset.hours',
    ],
    [
      [{ level: 'urge', label: '催办', kind: 'escalation', offset: { days: 1, hourOfDay: 9 }, recipients: ['mayor'] }],
      'levels[0].recipients',
    ],
    [
      [
        {
          level: 'urge',
          label: '催办',
          kind: 'escalation',
          offset: { days: 1, hourOfDay: 9 },
          recipients: ['unit'],
          channel: 'sms',
        },
      ],
      'levels[0].channel',
    ],
    [
      [
        {
          level: 'urge',
          label: '催办',
          kind: 'escalation',
          offset: { days: 1, hourOfDay: 9, minutes: 30 },
          recipients: ['unit'],
        },
      ],
      'levels[0].offset.minutes',
    ],
    [
      [
        { level: 'urge', label: '催办', kind: 'escalation', offset: { days: 1, hourOfDay: 9 }, recipients: ['unit'] },
        { level: 'urge', label: '再催', kind: 'escalation', offset: { days: 2, hourOfDay: 9 }, recipients: ['unit'] },
      ],
      'levels[1].level',
    ],
  ])('refuses %j naming %s', (levels, field) => {
    expect(() => validateReminderLevels(levels)).toThrow(ValidationError);
    try {
      validateReminderLevels(levels);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

/** A ladder of reminders at these offsets. */
const ladder = (...offsets: ReminderLevel['offset'][]): ReminderPolicy => ({
  ...DEFAULT_REMINDER_POLICY,
  levels: offsets.map((offset, i) => ({
    level: `l${i}`,
    label: '提醒',
    kind: 'reminder' as const,
    offset,
    recipients: ['unit' as const],
  })),
});

describe('the yellow light of a ladder (黄灯)', () => {
  it('starts when the first reminder is due: 3 days before the deadline by default', () => {
    expect(warningDaysOf(DEFAULT_REMINDER_POLICY)).toBe(3);
    expect(warningDaysOf(ladder({ days: -7, hourOfDay: 9 }, { days: -1, hourOfDay: 9 }))).toBe(7);
  });

  it('counts hour offsets from the end of the deadline day, and is 0 for a ladder that starts on the day', () => {
    expect(warningDaysOf(ladder({ hours: -48 }))).toBe(1); // from 00:00 the day before the deadline day
    expect(warningDaysOf(ladder({ hours: -6 }))).toBe(0);
    expect(warningDaysOf(ladder({ days: 0, hourOfDay: 9 }, { days: 1, hourOfDay: 9 }))).toBe(0);
  });
});

describe('the latest deadline a ladder owes a level by (what the reconciliation reads)', () => {
  it('is three days on under the default ladder: its 提醒 is due at 09:00 three days before the deadline', () => {
    // 20:00 in Beijing on 6 December: a task due on the 9th has had its 提醒 that morning; one due on the 10th has not.
    expect(latestDeadlineDueBy([DEFAULT_REMINDER_POLICY], new Date('2026-12-06T12:00:00Z'))).toBe('2026-12-09');
    // 08:59 on the 6th: the 提醒 of a task due on the 9th is a minute away.
    expect(latestDeadlineDueBy([DEFAULT_REMINDER_POLICY], new Date('2026-12-06T00:59:00Z'))).toBe('2026-12-08');
  });

  it('takes the ladder that reminds earliest, hours before the end of the deadline day as well', () => {
    const until = new Date('2026-12-06T12:00:00Z');
    expect(latestDeadlineDueBy([DEFAULT_REMINDER_POLICY, ladder({ days: -10, hourOfDay: 8 })], until)).toBe(
      '2026-12-16',
    );
    // 72 hours before the end of the day: 00:00 two days before it.
    expect(latestDeadlineDueBy([ladder({ hours: -72 })], until)).toBe('2026-12-08');
    expect(latestDeadlineDueBy([ladder({ days: 1, hourOfDay: 9 })], until)).toBe('2026-12-05');
    expect(latestDeadlineDueBy([], until)).toBeNull();
    expect(latestDeadlineDueBy([{ ...DEFAULT_REMINDER_POLICY, levels: [] }], until)).toBeNull();
  });

  it('leaves out no deadline that has a level due by then, whatever the ladder and the instant', () => {
    const ladders = [
      DEFAULT_REMINDER_POLICY,
      ladder({ days: -5, hourOfDay: 23 }, { hours: 12 }),
      ladder({ hours: -30 }),
      ladder({ days: 2, hourOfDay: 0 }),
    ];
    for (const l of ladders)
      for (let hour = 0; hour < 24 * 4; hour += 5) {
        const until = new Date(Date.UTC(2026, 11, 6, hour, 17));
        const latest = latestDeadlineDueBy([l], until)!;
        for (let days = -12; days <= 12; days++) {
          const deadline = addDays('2026-12-08', days);
          const owes = l.levels.some((level) => Date.parse(levelDueAt(deadline, level)) <= until.getTime());
          expect([deadline, owes]).toEqual([deadline, deadline <= latest]);
        }
      }
  });
});

describe('when a level falls due, asked again and again (the scheduler asks for every level of every task)', () => {
  const hoursLevel: ReminderLevel = {
    level: 'last_call',
    label: '最后提醒',
    kind: 'reminder',
    offset: { hours: -2 },
    recipients: ['unit'],
  };
  const levels = [...DEFAULT_REMINDER_POLICY.levels, hoursLevel];

  it('answers as worked out afresh, for more deadlines than it keeps answers for', () => {
    // 30,000 deadline-and-offset pairs, twice over: the answers kept are dropped once 20,000 are kept.
    for (const round of [1, 2])
      for (let day = 0; day < 5_000; day++) {
        const deadline = addDays('2018-01-01', day);
        for (const level of levels) {
          const hours =
            'hours' in level.offset ? 24 + level.offset.hours : level.offset.days * 24 + level.offset.hourOfDay;
          const expected = new Date(Date.parse(`${deadline}T00:00:00+08:00`) + hours * 3_600_000);
          const due = levelDueTime(deadline, level);
          if (
            due.at !== expected.toISOString() ||
            due.ms !== expected.getTime() ||
            levelDueAt(deadline, level) !== due.at
          )
            throw new Error(`round ${round}: ${deadline} ${level.level} gave ${due.at} (${due.ms})`);
        }
      }
  });

  it('tells apart offsets that would read alike: −1 day at 09:00 is not the day at −15 hours', () => {
    const dayBefore: ReminderLevel = { ...hoursLevel, offset: { days: -1, hourOfDay: 9 } };
    const hoursBefore: ReminderLevel = { ...hoursLevel, offset: { hours: -15 } };
    expect(levelDueAt('2018-09-30', dayBefore)).toBe('2018-09-29T01:00:00.000Z');
    expect(levelDueAt('2018-09-30', hoursBefore)).toBe('2018-09-30T01:00:00.000Z');
  });
});
