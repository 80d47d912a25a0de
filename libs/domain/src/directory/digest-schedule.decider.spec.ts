import { Actor, ForbiddenError, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { DigestTimeSet, digestScheduleDecider, SetDigestTime } from './digest-schedule.decider';

const spec = DeciderSpecification.for(digestScheduleDecider);
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const inspector: Actor = { userId: 'user-li', username: 'li', role: 'inspector', unitId: 'unit-office' };

const setTime = (time: unknown, actor = admin): SetDigestTime => ({
  type: 'SetDigestTime',
  data: { time: time as string, configuredTime: '08:30' },
  metadata: { actor, now: '2018-05-01T09:00:00+08:00', correlationId: 'c-1' },
});
const set = (time: string, previousTime: string): DigestTimeSet => ({
  type: 'DigestTimeSet',
  data: { time, previousTime },
});

describe('the daily digest’s time (每日督办简报时间)', () => {
  it('an admin sets it; the first setting replaces the configured time', () => {
    spec
      .given([])
      .when(setTime('07:45'))
      .then([set('07:45', '08:30')]);
  });

  it('a later setting replaces the time set before', () => {
    spec
      .given([set('07:45', '08:30')])
      .when(setTime('18:00'))
      .then([set('18:00', '07:45')]);
  });

  it('setting the time in force records nothing', () => {
    spec.given([]).when(setTime('08:30')).thenNothing();
    spec
      .given([set('07:45', '08:30')])
      .when(setTime('07:45'))
      .thenNothing();
  });

  it('only an admin sets it', () => {
    spec.given([]).when(setTime('07:45', inspector)).thenThrows(ForbiddenError);
  });

  it('refuses a time that is not HH:MM, naming the field time', () => {
    for (const bad of ['7:45', '24:00', '08:60', '', null, 845])
      spec.given([]).when(setTime(bad)).thenThrows(ValidationError, { field: 'time' });
  });
});
