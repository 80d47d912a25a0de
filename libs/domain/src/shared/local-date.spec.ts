import { assertLocalDate, localDateFault, shanghaiDateOf } from './local-date';
import { ValidationError } from './domain-error';

describe('the calendar the system takes', () => {
  it('takes real dates from 1900-01-01 to 2999-12-31', () => {
    for (const date of ['1900-01-01', '2018-09-30', '2999-12-31']) expect(localDateFault(date, 'deadline')).toBeNull();
  });

  it(
    'refuses a date outside it, naming the field and the span, where ' +
      '9999-12-31 put a reminder in a year JavaScript writes as +010000',
    () => {
      for (const date of ['1899-12-31', '3000-01-01', '9999-12-31', '0100-01-01']) {
        expect(localDateFault(date, 'deadline')).toBe('deadline must be a date from 1900-01-01 to 2999-12-31');
      }
      expect(() => assertLocalDate('9999-12-31', 'deadline')).toThrow(ValidationError);
      expect(localDateFault('2018-02-30', 'deadline')).toBe('deadline must be a calendar date YYYY-MM-DD');
    },
  );
});

describe('the day in Beijing of an instant', () => {
  const byArithmetic = (instant: string | Date) =>
    new Date(new Date(instant).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

  it('is the UTC day before 16:00 UTC and the next from 16:00, across months, years and a leap day', () => {
    expect(shanghaiDateOf('2026-12-02T15:59:59.999Z')).toBe('2026-12-02');
    expect(shanghaiDateOf('2026-12-02T16:00:00.000Z')).toBe('2026-12-03');
    expect(shanghaiDateOf('2026-12-31T16:00:00.000Z')).toBe('2027-01-01');
    expect(shanghaiDateOf('2028-02-28T16:30:00.000Z')).toBe('2028-02-29');
    expect(shanghaiDateOf('2018-09-30T00:00:00+08:00')).toBe('2018-09-30');
    expect(shanghaiDateOf(new Date('2018-09-29T16:00:00.000Z'))).toBe('2018-09-30');
  });

  it('agrees with the arithmetic on instants every 37 minutes over two years, in every form it is given', () => {
    for (let ms = Date.parse('2026-01-01T00:00:00Z'); ms < Date.parse('2028-01-01T00:00:00Z'); ms += 37 * 60_000) {
      const iso = new Date(ms).toISOString();
      const forms = [iso, new Date(ms), iso.replace('.000Z', 'Z'), iso.replace('Z', '+00:00')];
      for (const form of forms) expect(shanghaiDateOf(form)).toBe(byArithmetic(form));
    }
  });
});
