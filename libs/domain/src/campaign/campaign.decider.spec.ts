import { Actor, ForbiddenError, IllegalTransitionError, RuleViolationError, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { LaunchCampaign } from './campaign.commands';
import { campaignDecider } from './campaign.decider';
import { CampaignLaunched, campaignStreamName } from './campaign.events';

const spec = DeciderSpecification.for(campaignDecider);

const inspector: Actor = {
  userId: 'user-inspector-li',
  username: 'li.dc',
  role: 'inspector',
  unitId: 'unit-supervision-office',
};
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const unitUser: Actor = { userId: 'user-wangyan-chen', username: 'chen.wy', role: 'unit', unitId: 'unit-wangyan-town' };
const leader: Actor = { userId: 'user-leader-wang', username: 'wang.sj', role: 'leader', unitId: null };

const LAUNCH_DATA: LaunchCampaign['data'] = {
  campaignId: 'campaign-housing-zero',
  name: '危房改造清零',
  description: '9 月底前全市危房改造全部清零',
  deadline: '2018-09-30',
  scope: { regionId: 'region-fuyang', category: '危房改造' },
  targets: [
    { label: '危房改造', quantity: 217, unit: '户' },
    { label: '沟塘清淤', quantity: 20.32, unit: 'km' },
  ],
};

const launch = (data: Partial<LaunchCampaign['data']> = {}, actor = inspector): LaunchCampaign => ({
  type: 'LaunchCampaign',
  data: { ...LAUNCH_DATA, ...data },
  metadata: { actor, now: '2018-07-20T09:00:00+08:00', correlationId: 'correlation-1' },
});

const launched = (data: Partial<CampaignLaunched['data']> = {}): CampaignLaunched => ({
  type: 'CampaignLaunched',
  data: { ...LAUNCH_DATA, launchedBy: inspector.userId, ...data },
});

describe('LaunchCampaign (专项行动)', () => {
  it('names its stream', () => {
    expect(campaignStreamName('housing')).toBe('campaign-housing');
    expect(campaignDecider.initialState()).toEqual({ status: 'none' });
  });

  it('an inspector launches a campaign with a deadline, a scope and quantity targets', () => {
    spec.given([]).when(launch()).then([launched()]);
    spec.given([]).when(launch()).thenState({ status: 'active', deadline: '2018-09-30', launchedBy: inspector.userId });
  });

  it('an admin launches one too', () => {
    spec
      .given([])
      .when(launch({}, admin))
      .then([launched({ launchedBy: admin.userId })]);
  });

  it('a campaign may cover everywhere and every category, without targets', () => {
    spec
      .given([])
      .when(launch({ name: '四个一', deadline: '2018-12-31', scope: { regionId: null, category: null }, targets: [] }))
      .then([
        launched({ name: '四个一', deadline: '2018-12-31', scope: { regionId: null, category: null }, targets: [] }),
      ]);
  });

  it('records texts trimmed and an empty scope category as none', () => {
    spec
      .given([])
      .when(
        launch({
          name: ' 危房改造清零 ',
          scope: { regionId: 'region-fuyang', category: ' ' },
          targets: [{ label: ' 危房改造 ', quantity: 217, unit: ' 户 ' }],
        }),
      )
      .then([
        launched({
          scope: { regionId: 'region-fuyang', category: null },
          targets: [{ label: '危房改造', quantity: 217, unit: '户' }],
        }),
      ]);
  });

  it.each([
    ['campaignId', { campaignId: '' }],
    ['name', { name: ' ' }],
    ['name', { name: '名'.repeat(201) }],
    ['description', { description: '述'.repeat(4001) }],
    ['deadline', { deadline: '2018-09-31' }],
    ['deadline', { deadline: '2018-9-30' }],
    ['scope', { scope: 'everywhere' }],
    ['scope.regionId', { scope: { regionId: '', category: null } }],
    ['targets', { targets: { label: 'x', quantity: 1, unit: '户' } }],
    ['targets[0].label', { targets: [{ label: '', quantity: 1, unit: '户' }] }],
    ['targets[0].quantity', { targets: [{ label: '危房改造', quantity: 0, unit: '户' }] }],
    [
      'targets[1].quantity',
      {
        targets: [
          { label: '危房改造', quantity: 1, unit: '户' },
          { label: '清淤', quantity: -3, unit: 'km' },
        ],
      },
    ],
    ['targets[0].quantity', { targets: [{ label: '危房改造', quantity: Number.NaN, unit: '户' }] }],
    ['targets[0].unit', { targets: [{ label: '危房改造', quantity: 217, unit: '' }] }],
  ])('refuses malformed input: %s', (field, data) => {
    spec
      .given([])
      .when(launch(data as never))
      .thenThrows(ValidationError, { field });
  });

  it.each([
    ['a unit', unitUser, 'ROLE_NOT_ALLOWED'],
    ['a leader', leader, 'READ_ONLY_ROLE'],
  ])('%s may not launch a campaign', (_, actor, code) => {
    spec.given([]).when(launch({}, actor)).thenThrows(ForbiddenError, code);
  });

  it('refuses a deadline already passed (Beijing time), and takes one that falls due today', () => {
    const at = (now: string, deadline: string): LaunchCampaign => ({
      ...launch({ deadline }),
      metadata: { ...launch().metadata, now },
    });
    spec.given([]).when(at('2018-10-01T09:00:00+08:00', '2018-09-30')).thenThrows(RuleViolationError, {
      code: 'DEADLINE_IN_PAST',
      field: 'deadline',
    });
    // 30 September 23:30 in Beijing is still the 30th, though UTC says 15:30 the same day.
    spec.given([]).when(at('2018-09-30T23:30:00+08:00', '2018-09-30')).then([launched()]);
    // Resent after its deadline, a campaign launched in time changes nothing and is not refused.
    spec.given([launched()]).when(at('2018-10-08T09:00:00+08:00', '2018-09-30')).thenNothing();
  });

  it('launching the same campaign again changes nothing, whoever resends it', () => {
    spec.given([launched()]).when(launch()).thenNothing();
    spec.given([launched()]).when(launch({}, admin)).thenNothing();
  });

  it.each([
    ['deadline', { deadline: '2018-10-31' }],
    ['targets', { targets: [{ label: '危房改造', quantity: 216, unit: '户' }] }],
    ['scope', { scope: { regionId: 'region-funan', category: '危房改造' } }],
  ])('refuses to launch it again with a different %s', (_, data) => {
    spec
      .given([launched()])
      .when(launch(data))
      .thenThrows(IllegalTransitionError, { command: 'LaunchCampaign', status: 'active' });
  });
});
