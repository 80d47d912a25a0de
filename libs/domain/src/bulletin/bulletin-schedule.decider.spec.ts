import { Actor, ForbiddenError, SYSTEM_ACTOR, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  BulletinSchedule,
  bulletinScheduleDecider,
  BulletinScheduleCommand,
  latestBulletinRun,
} from './bulletin-schedule.decider';

const spec = DeciderSpecification.for(bulletinScheduleDecider);
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const inspector: Actor = { userId: 'user-li', username: 'li', role: 'inspector', unitId: 'unit-office' };

const FUNAN: BulletinSchedule = {
  scheduleId: 'schedule-funan',
  regionId: 'region-funan',
  campaignId: null,
  weekday: 1,
  time: '09:00',
};
const meta = (actor: Actor) => ({ actor, now: '2018-09-20T10:00:00+08:00', correlationId: 'c1' });
const setSchedule = (data: Partial<BulletinSchedule> = {}, actor = admin): BulletinScheduleCommand => ({
  type: 'SetBulletinSchedule',
  data: { ...FUNAN, ...data },
  metadata: meta(actor),
});

describe('weekly bulletins (每周情况通报) an admin sets up', () => {
  it('an admin sets one up per region, and changes or removes it; history keeps each step', () => {
    spec
      .given([])
      .when(setSchedule())
      .then([{ type: 'BulletinScheduleSet', data: FUNAN }]);
    const friday = { ...FUNAN, weekday: 5, time: '17:30' };
    spec
      .given([{ type: 'BulletinScheduleSet', data: FUNAN }])
      .when(setSchedule({ weekday: 5, time: '17:30' }))
      .then([{ type: 'BulletinScheduleSet', data: friday }]);
    spec
      .given([{ type: 'BulletinScheduleSet', data: FUNAN }])
      .when({ type: 'RemoveBulletinSchedule', data: { scheduleId: FUNAN.scheduleId }, metadata: meta(admin) })
      .then([{ type: 'BulletinScheduleRemoved', data: { scheduleId: FUNAN.scheduleId } }]);
  });

  it('setting one as it stands, or removing one not there, records nothing', () => {
    spec
      .given([{ type: 'BulletinScheduleSet', data: FUNAN }])
      .when(setSchedule())
      .thenNothing();
    spec
      .given([])
      .when({ type: 'RemoveBulletinSchedule', data: { scheduleId: FUNAN.scheduleId }, metadata: meta(admin) })
      .thenNothing();
  });

  it('only an admin sets them up', () => {
    spec.given([]).when(setSchedule({}, inspector)).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
    spec
      .given([])
      .when(setSchedule({}, SYSTEM_ACTOR))
      .then([{ type: 'BulletinScheduleSet', data: FUNAN }]);
  });

  it.each([
    ['weekday', { weekday: 0 }],
    ['weekday', { weekday: 8 }],
    ['weekday', { weekday: 1.5 }],
    ['time', { time: '9:00' }],
    ['regionId', { regionId: '' }],
  ])('refuses a bad %s, naming it', (field, data) => {
    spec.given([]).when(setSchedule(data)).thenThrows(ValidationError, { field });
  });

  it('runs at the last weekday and time not after now, reporting the seven days before its day', () => {
    // 2018-10-01 was a Monday.
    expect(latestBulletinRun(FUNAN, new Date('2018-10-01T09:00:00+08:00'))).toEqual({
      runAt: new Date('2018-10-01T09:00:00+08:00'),
      period: { from: '2018-09-24', to: '2018-09-30' },
    });
    expect(latestBulletinRun(FUNAN, new Date('2018-10-01T08:59:59+08:00')).runAt).toEqual(
      new Date('2018-09-24T09:00:00+08:00'),
    );
    expect(latestBulletinRun(FUNAN, new Date('2018-10-07T23:00:00+08:00')).runAt).toEqual(
      new Date('2018-10-01T09:00:00+08:00'),
    );
    // Sunday 18:00, asked on a Wednesday (UTC still the day before in Shanghai's morning).
    expect(latestBulletinRun({ weekday: 7, time: '18:00' }, new Date('2018-10-03T01:00:00+08:00'))).toEqual({
      runAt: new Date('2018-09-30T18:00:00+08:00'),
      period: { from: '2018-09-23', to: '2018-09-29' },
    });
  });
});
