import { assertLocalDate, localDateFault } from './local-date';
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
