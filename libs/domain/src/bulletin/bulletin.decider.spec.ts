import { Actor, ForbiddenError, IllegalTransitionError, SYSTEM_ACTOR, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { IssueBulletin } from './bulletin.commands';
import { bulletinDecider } from './bulletin.decider';
import { BulletinIssued, bulletinStreamName } from './bulletin.events';

const spec = DeciderSpecification.for(bulletinDecider);

const leader: Actor = { userId: 'user-leader-wang', username: 'wang.sj', role: 'leader', unitId: null };
const inspector: Actor = { userId: 'user-inspector-li', username: 'li.dc', role: 'inspector', unitId: 'unit-office' };
const unitUser: Actor = { userId: 'user-chen', username: 'chen.wy', role: 'unit', unitId: 'unit-wangyan-town' };
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };

const NOW = '2018-10-01T09:00:00+08:00';
const sha = (c: string) => c.repeat(64);
const FILES = [
  { format: 'pdf' as const, evidenceId: 'ev-pdf-1', sha256: sha('a'), size: 120_000, fileName: '危房改造情况通报.pdf' },
  {
    format: 'docx' as const,
    evidenceId: 'ev-docx-1',
    sha256: sha('b'),
    size: 40_000,
    fileName: '危房改造情况通报.docx',
  },
];
const DATA: IssueBulletin['data'] = {
  bulletinId: 'bulletin-1',
  title: '关于危房改造清零专项行动整改情况的通报',
  scope: { regionId: 'region-funan', campaignId: 'campaign-housing' },
  period: { from: '2018-09-24', to: '2018-09-30' },
  asOf: '2018-09-30T23:59:59+08:00',
  files: FILES,
};

const issue = (data: Partial<IssueBulletin['data']> = {}, actor = leader): IssueBulletin => ({
  type: 'IssueBulletin',
  data: { ...DATA, ...data },
  metadata: { actor, now: NOW, correlationId: 'correlation-1' },
});

const issued = (data: Partial<BulletinIssued['data']> = {}): BulletinIssued => ({
  type: 'BulletinIssued',
  data: { ...DATA, version: 1, issuedBy: leader.userId, scheduleId: null, ...data },
});

describe('IssueBulletin (情况通报)', () => {
  it('names its stream', () => {
    expect(bulletinStreamName('b1')).toBe('bulletin-b1');
  });

  it('a leader issues a bulletin as of an instant, with one PDF and one DOCX and their SHA-256', () => {
    spec.given([]).when(issue()).then([issued()]);
    spec.given([]).when(issue()).thenState({ status: 'issued', version: 1, asOf: DATA.asOf });
  });

  it('an inspector issues one too, and the engine does for an admin schedule', () => {
    spec
      .given([])
      .when(issue({}, inspector))
      .then([issued({ issuedBy: inspector.userId })]);
    spec
      .given([])
      .when(issue({ scheduleId: 'schedule-funan' }, SYSTEM_ACTOR))
      .then([issued({ issuedBy: SYSTEM_ACTOR.userId, scheduleId: 'schedule-funan' })]);
  });

  it.each([
    ['a unit user', unitUser],
    ['an admin', admin],
  ])('%s may not issue a bulletin', (_, actor) => {
    spec.given([]).when(issue({}, actor)).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
  });

  it('reports what has happened: asOf may not be later than now', () => {
    spec
      .given([])
      .when(issue({ asOf: '2018-10-02T00:00:00+08:00' }))
      .thenThrows(ValidationError, { field: 'asOf', code: 'AS_OF_IN_FUTURE' });
  });

  it('a period that ends before it begins, or after the day of asOf, is refused naming period.to', () => {
    spec
      .given([])
      .when(issue({ period: { from: '2018-09-30', to: '2018-09-24' } }))
      .thenThrows(ValidationError, { field: 'period.to', code: 'PERIOD_REVERSED' });
    spec
      .given([])
      .when(issue({ period: { from: '2018-09-24', to: '2018-10-01' } }))
      .thenThrows(ValidationError, { field: 'period.to', code: 'PERIOD_AFTER_AS_OF' });
  });

  it.each([
    ['title', { title: ' ' }],
    ['period.from', { period: { from: '2018-9-24', to: '2018-09-30' } }],
    ['asOf', { asOf: 'yesterday' }],
    ['files', { files: [FILES[0]] }],
    ['files', { files: [FILES[0], FILES[0]] }],
    ['files[1].sha256', { files: [FILES[0], { ...FILES[1], sha256: 'abc' }] }],
    ['files[0].size', { files: [{ ...FILES[0], size: 0 }, FILES[1]] }],
    ['files[0].format', { files: [{ ...FILES[0], format: 'xlsx' as 'pdf' }, FILES[1]] }],
  ])('refuses a bad %s, naming it', (field, data) => {
    spec.given([]).when(issue(data)).thenThrows(ValidationError, { field });
  });

  it('issuing the same bulletin again (a scheduled run repeated) records nothing', () => {
    spec.given([issued()]).when(issue()).thenNothing();
  });

  it('a different bulletin under the same id is refused', () => {
    spec
      .given([issued()])
      .when(issue({ period: { from: '2018-09-17', to: '2018-09-23' } }))
      .thenThrows(IllegalTransitionError, { command: 'IssueBulletin', status: 'issued' });
  });

  it('a reissue is a new version with its own files and instant; the first stays as it was', () => {
    const files = [
      { ...FILES[0], evidenceId: 'ev-pdf-2', sha256: sha('c') },
      { ...FILES[1], evidenceId: 'ev-docx-2', sha256: sha('d') },
    ];
    const asOf = '2018-10-01T08:00:00+08:00';
    spec
      .given([issued()])
      .when(issue({ reissue: true, files, asOf }, inspector))
      .then([issued({ version: 2, files, asOf, issuedBy: inspector.userId })]);
    spec
      .given([issued(), issued({ version: 2 })])
      .when(issue({ reissue: true }))
      .thenState({ version: 3 });
  });

  it('a reissue keeps the scope and the period; one of nothing issued is refused', () => {
    spec
      .given([issued()])
      .when(issue({ reissue: true, scope: { regionId: null, campaignId: 'campaign-housing' } }))
      .thenThrows(ValidationError, { field: 'scope', code: 'BULLETIN_SCOPE_FIXED' });
    spec
      .given([])
      .when(issue({ reissue: true }))
      .thenThrows(IllegalTransitionError, { command: 'IssueBulletin', status: 'none' });
  });
});
