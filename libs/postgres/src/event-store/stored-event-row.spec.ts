import { types } from 'pg';
import { isoOfTimestamp } from './stored-event-row';

/** What the driver made of a `timestamptz` before: its `Date`, written as ISO text. */
const asTheDriverDid = (text: string) =>
  (types.getTypeParser(1184, 'text') as (text: string) => Date)(text).toISOString();

describe("An event's recorded time, read as PostgreSQL writes it", () => {
  it('is the ISO text the driver gave, for every number of fraction digits, cut to milliseconds', () => {
    for (let micros = 0; micros < 1_000_000; micros += 997) {
      const fraction = String(micros).padStart(6, '0').replace(/0+$/, '');
      const text = `2026-12-07 01:09:32${fraction ? `.${fraction}` : ''}+00`;
      expect(isoOfTimestamp(text)).toBe(asTheDriverDid(text));
    }
    expect(isoOfTimestamp('2026-12-07 01:09:32.1+00')).toBe('2026-12-07T01:09:32.100Z');
    expect(isoOfTimestamp('2026-12-07 01:09:32.123999+00')).toBe('2026-12-07T01:09:32.123Z');
    expect(isoOfTimestamp('2026-12-07 01:09:32+00')).toBe('2026-12-07T01:09:32.000Z');
  });

  it('is turned into UTC when the session writes it in another time zone', () => {
    expect(isoOfTimestamp('2026-12-07 09:09:32.5+08')).toBe('2026-12-07T01:09:32.500Z');
    expect(isoOfTimestamp('2026-12-07 01:09:32.123456-03:30')).toBe('2026-12-07T04:39:32.123Z');
  });
});
