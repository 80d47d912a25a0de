import { digestDue, digestFilters, digestPattern } from './daily-digest';

describe('the daily digest: when it is owed and what it counts', () => {
  it('is owed from its time on, today only, with its figures taken at that time', () => {
    // given a digest time of 08:30 (Asia/Shanghai)
    // when the clock reads 08:29 and then 08:30 and 23:59 on 2030-06-03
    // then nothing is owed before 08:30, and from then on the digest of that day, as of 08:30
    expect(digestDue(new Date('2030-06-03T08:29:59+08:00'), '08:30')).toBeNull();
    const due = { date: '2030-06-03', at: new Date('2030-06-03T08:30:00+08:00') };
    expect(digestDue(new Date('2030-06-03T08:30:00+08:00'), '08:30')).toEqual(due);
    expect(digestDue(new Date('2030-06-03T23:59:00+08:00'), '08:30')).toEqual(due);
  });

  it('after days of downtime owes only the current day, and before its time not even that', () => {
    // given a worker down from 2030-06-01 to 2030-06-04
    // when it starts at 2030-06-04 07:00 and at 10:00
    // then at 07:00 nothing is owed (not the days missed), at 10:00 the digest of 2030-06-04
    expect(digestDue(new Date('2030-06-04T07:00:00+08:00'), '08:30')).toBeNull();
    expect(digestDue(new Date('2030-06-04T10:00:00+08:00'), '08:30')?.date).toBe('2030-06-04');
  });

  it('reads the date in Asia/Shanghai, not UTC', () => {
    // given 2030-06-03T00:30 UTC, 08:30 in Shanghai
    // when the digest time is 08:30
    // then the digest of 2030-06-03 is owed
    expect(digestDue(new Date('2030-06-03T00:30:00Z'), '08:30')?.date).toBe('2030-06-03');
  });

  it('repeats by a cron pattern of the time set', () => {
    expect(digestPattern('08:30')).toBe('30 8 * * *');
    expect(digestPattern('17:05')).toBe('5 17 * * *');
  });

  it('counts with the deadline view filters, within the jurisdiction', () => {
    // given a digest on 2030-06-03 for the region 阜南县
    // when its filters are built
    // then each is the deadline view's filter scoped to the region: newly overdue are those due yesterday
    const filters = digestFilters('2030-06-03', 'funan');
    expect(filters.map((f) => [f.label, f.filter])).toEqual([
      ['新增逾期', { scopeRegionId: 'funan', overdue: true, dueAfter: '2030-06-02', dueBefore: '2030-06-02' }],
      ['逾期未完成', { scopeRegionId: 'funan', overdue: true }],
      [
        '三天内将逾期',
        { scopeRegionId: 'funan', light: ['green', 'yellow'], dueAfter: '2030-06-03', dueBefore: '2030-06-05' },
      ],
    ]);
    // and unscoped, the same filters without a region
    expect(digestFilters('2030-06-03', null).every((f) => !('scopeRegionId' in f.filter))).toBe(true);
  });
});
