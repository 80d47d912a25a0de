import { Actor, ForbiddenError, IllegalTransitionError, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { RegisterUnit, UnitCommand, unitDecider, UnitRegistered } from './unit.decider';

const spec = DeciderSpecification.for(unitDecider);
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const unitUser: Actor = { userId: 'user-chen', username: 'chen', role: 'unit', unitId: 'unit-wangyan' };
const meta = (actor = admin) => ({ actor, now: '2018-05-01T09:00:00+08:00', correlationId: 'c-1' });

const register = (data: Partial<RegisterUnit['data']> = {}, actor = admin): RegisterUnit => ({
  type: 'RegisterUnit',
  data: {
    unitId: 'unit-wangyan',
    regionId: 'r-wangyan',
    name: '王堰镇人民政府',
    headName: '镇长',
    contact: null,
    ...data,
  },
  metadata: meta(actor),
});
const registered: UnitRegistered = {
  type: 'UnitRegistered',
  data: { unitId: 'unit-wangyan', regionId: 'r-wangyan', name: '王堰镇人民政府', headName: '镇长', contact: null },
};
const command = <C extends UnitCommand>(type: C['type'], data: C['data'], actor = admin) =>
  ({ type, data, metadata: meta(actor) }) as C;

describe('a responsible unit (责任单位)', () => {
  it('an admin registers a unit in a region, with its head and contact', () => {
    spec
      .given([])
      .when(register({ contact: ' 0558-1234567 ' }))
      .then([{ ...registered, data: { ...registered.data, contact: '0558-1234567' } }]);
    spec.given([registered]).when(register()).thenNothing();
    spec
      .given([registered])
      .when(register({ regionId: 'r-caoji' }))
      .thenThrows(IllegalTransitionError);
  });

  it('its name, head and contact change, and history keeps each change', () => {
    spec
      .given([registered])
      .when(command('ChangeUnitDetails', { name: '王堰镇人民政府', headName: '新任镇长', contact: null }))
      .then([
        {
          type: 'UnitDetailsChanged',
          data: { unitId: 'unit-wangyan', name: '王堰镇人民政府', headName: '新任镇长', contact: null },
        },
      ]);
    spec
      .given([registered])
      .when(command('ChangeUnitDetails', { name: '王堰镇人民政府', headName: '镇长', contact: null }))
      .thenNothing();
    spec
      .given([])
      .when(command('ChangeUnitDetails', { name: 'x', headName: null, contact: null }))
      .thenThrows(IllegalTransitionError);
  });

  it('its delivery channels are recorded by kind, audience and masked address', () => {
    const channels = [
      { kind: 'dingtalk', audience: 'head' as const, address: 'https://oapi.dingtalk.com/robot/send?access_token=ab…' },
    ];
    spec
      .given([registered])
      .when(command('SetUnitChannels', { channels }))
      .then([{ type: 'UnitChannelsChanged', data: { unitId: 'unit-wangyan', channels } }]);
    spec
      .given([registered, { type: 'UnitChannelsChanged', data: { unitId: 'unit-wangyan', channels } }])
      .when(command('SetUnitChannels', { channels }))
      .thenNothing();
  });

  it('records which kinds of message a channel takes, in a fixed order; refuses a kind that is not one', () => {
    const address = 'https://oapi.dingtalk.com/robot/send?access_token=ab…';
    const asked = [{ kind: 'dingtalk', audience: 'unit' as const, address, takes: ['sent_back', 'assigned'] }];
    spec
      .given([registered])
      .when(command('SetUnitChannels', { channels: asked as never }))
      .then([
        {
          type: 'UnitChannelsChanged',
          data: { unitId: 'unit-wangyan', channels: [{ ...asked[0], takes: ['assigned', 'sent_back'] }] },
        },
      ]);
    for (const takes of [[], ['progress_report'], 'assigned'])
      spec
        .given([registered])
        .when(command('SetUnitChannels', { channels: [{ ...asked[0], takes }] as never }))
        .thenThrows(ValidationError, { field: 'channels[0].takes' });
  });

  it.each([
    ['name', { name: '' }],
    ['regionId', { regionId: '' }],
    ['headName', { headName: 7 as never }],
  ])('refuses malformed input: %s', (field, data) => {
    spec.given([]).when(register(data)).thenThrows(ValidationError, { field });
  });

  it('only an admin changes units', () => {
    spec.given([]).when(register({}, unitUser)).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
    spec
      .given([registered])
      .when(command('SetUnitChannels', { channels: [] }, unitUser))
      .thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
  });
});
