import { ValidationError } from '../shared';
import { DEFAULT_REMINDER_POLICY, ReminderLevel, validateReminderLevels, warningDaysOf } from './reminder-policy';

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

describe('the yellow light of a ladder (黄灯)', () => {
  const ladder = (...offsets: ReminderLevel['offset'][]) => ({
    ...DEFAULT_REMINDER_POLICY,
    levels: offsets.map((offset, i) => ({
      level: `l${i}`,
      label: '提醒',
      kind: 'reminder' as const,
      offset,
      recipients: ['unit' as const],
    })),
  });

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
