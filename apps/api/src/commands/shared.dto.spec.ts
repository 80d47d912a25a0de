import { instantFault } from './shared.dto';

describe('instantFault: the one rule for every instant the API takes', () => {
  it.each([
    '2018-09-30T23:59:59+08:00',
    '2018-09-30T15:59:59.123Z',
    '2018-09-30T10:00Z',
    '1900-01-01T00:00:00+08:00',
    '2999-12-31T23:59:59.999+08:00',
    '2999-12-31T15:59:59.999Z',
  ])('takes %s', (value) => expect(instantFault(value, 'asOf')).toBeNull());

  it.each([
    ['far: Shanghai’s year 10000', '9999-12-31T23:59:59Z'],
    ['the first instant of 3000 in Shanghai', '2999-12-31T16:00:00Z'],
    ['before 1900 in Shanghai', '1899-12-31T23:59:59.999+08:00'],
    ['the year 3000', '3000-01-01T00:00:00Z'],
    ['a week date', '2018-W40-1'],
    ['an ordinal date', '2018-273'],
    ['the basic form', '20180930T100000Z'],
    ['a decimal comma', '2018-09-30T10:00:00,5Z'],
    ['24:00', '2018-09-30T24:00:00Z'],
    ['30 February', '2018-02-30T10:00:00Z'],
    ['a date alone', '2018-09-30'],
    ['no offset (the server’s time zone would decide)', '2018-09-30T10:00:00'],
    ['a space for T', '2018-09-30 10:00:00Z'],
    ['an extended year', '+002018-09-30T00:00:00Z'],
    ['not text', 20180930],
  ])('refuses %s, naming the field', (_, value) => expect(instantFault(value, 'asOf')).toMatch(/^asOf must be/));
});
