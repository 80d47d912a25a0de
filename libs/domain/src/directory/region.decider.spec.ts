import { Actor, ForbiddenError, IllegalTransitionError, RuleViolationError, ValidationError } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { CreateRegion, ParentRegion, RegionCreated, regionDecider, RenameRegion } from './region.decider';

const spec = DeciderSpecification.for(regionDecider);
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const inspector: Actor = { userId: 'user-li', username: 'li', role: 'inspector', unitId: 'unit-office' };
const leader: Actor = { userId: 'user-wang', username: 'wang', role: 'leader', unitId: null };
const meta = (actor = admin) => ({ actor, now: '2018-05-01T09:00:00+08:00', correlationId: 'c-1' });

const funan: ParentRegion = { regionId: 'r-funan', code: '341225', level: 'county', path: ['r-fuyang', 'r-funan'] };
const create = (data: Partial<CreateRegion['data']> = {}, actor = admin): CreateRegion => ({
  type: 'CreateRegion',
  data: { regionId: 'r-wangyan', code: '341225113', name: '王堰镇', level: 'town', parent: funan, ...data },
  metadata: meta(actor),
});
const created: RegionCreated = {
  type: 'RegionCreated',
  data: {
    regionId: 'r-wangyan',
    code: '341225113',
    name: '王堰镇',
    level: 'town',
    parentId: 'r-funan',
    path: ['r-fuyang', 'r-funan', 'r-wangyan'],
  },
};
const rename = (name: string, actor = admin): RenameRegion => ({
  type: 'RenameRegion',
  data: { name },
  metadata: meta(actor),
});

describe('a region of the tree 市 › 县 › 乡镇 › 村', () => {
  it('an admin adds a township under its county, with the path from the top of the tree', () => {
    spec.given([]).when(create()).then([created]);
  });

  it('a city is the top of a tree', () => {
    spec
      .given([])
      .when(create({ regionId: 'r-fuyang', code: '341200', name: '阜阳市', level: 'city', parent: null }))
      .then([
        {
          type: 'RegionCreated',
          data: {
            regionId: 'r-fuyang',
            code: '341200',
            name: '阜阳市',
            level: 'city',
            parentId: null,
            path: ['r-fuyang'],
          },
        },
      ]);
  });

  it('a county begins with its city code’s first four digits; a village with its township’s code', () => {
    const fuyang: ParentRegion = { regionId: 'r-fuyang', code: '341200', level: 'city', path: ['r-fuyang'] };
    spec
      .given([])
      .when(create({ regionId: 'r-funan', code: '341225', name: '阜南县', level: 'county', parent: fuyang }))
      .thenState({ path: ['r-fuyang', 'r-funan'] });
    spec
      .given([])
      .when(create({ code: '341325', level: 'county', parent: fuyang }))
      .thenThrows(ValidationError, { field: 'code' });
    const wangyan: ParentRegion = { regionId: 'r-wangyan', code: '341225113', level: 'town', path: created.data.path };
    spec
      .given([])
      .when(create({ regionId: 'r-caiying', code: '341225113201', name: '蔡郢村', level: 'village', parent: wangyan }))
      .thenState({ parentId: 'r-wangyan' });
    spec
      .given([])
      .when(create({ regionId: 'r-caiying', code: '341225114201', name: '蔡郢村', level: 'village', parent: wangyan }))
      .thenThrows(ValidationError, { field: 'code' });
  });

  it.each([
    ['a village under a county', { level: 'village' as const, code: '341225113201' }],
    ['a county under a county', { level: 'county' as const, code: '341226' }],
    [
      'anything under a village',
      {
        level: 'village' as const,
        code: '341225113201201'.slice(0, 12),
        parent: { regionId: 'r-c', code: '341225113201', level: 'village' as const, path: ['r-c'] },
      },
    ],
  ])('refuses %s', (_, data) => {
    spec.given([]).when(create(data)).thenThrows(RuleViolationError, { code: 'REGION_LEVEL', field: 'level' });
  });

  it.each([
    ['code', { code: '34122511' }],
    ['code', { code: '34122511３' }],
    ['code', { code: 341225113 as unknown as string }],
    ['name', { name: ' ' }],
    ['level', { level: 'province' as never }],
    ['regionId', { regionId: '' }],
  ])('refuses malformed input: %s', (field, data) => {
    spec.given([]).when(create(data)).thenThrows(ValidationError, { field });
  });

  it.each([
    ['an inspector', inspector, 'ROLE_NOT_ALLOWED'],
    ['a leader', leader, 'READ_ONLY_ROLE'],
  ])('%s may not change the tree', (_, actor, code) => {
    spec.given([]).when(create({}, actor)).thenThrows(ForbiddenError, code);
    spec.given([created]).when(rename('王堰', actor)).thenThrows(ForbiddenError, code);
  });

  it('adding the same region again changes nothing; a different one with its id is refused', () => {
    spec.given([created]).when(create()).thenNothing();
    spec
      .given([created])
      .when(create({ name: '王堰乡' }))
      .thenThrows(IllegalTransitionError);
  });

  it('a rename keeps the old name in history; the same name changes nothing', () => {
    spec
      .given([created])
      .when(rename(' 王堰镇人民政府驻地 '))
      .then([
        { type: 'RegionRenamed', data: { regionId: 'r-wangyan', name: '王堰镇人民政府驻地', previousName: '王堰镇' } },
      ]);
    spec.given([created]).when(rename('王堰镇')).thenNothing();
    spec.given([]).when(rename('王堰镇')).thenThrows(IllegalTransitionError);
  });
});
