import { Actor } from '@zhenggai/domain';
import { Region } from '../directory/directory.port';
import {
  coversRegion,
  liesWithin,
  maySeeTask,
  onBranchOf,
  reachOf,
  TaskReach,
  unitReachesInTree,
} from './jurisdiction';

const region = (id: string, path: string[]): Region => ({
  id,
  code: id,
  name: id,
  level: 'town',
  parentId: path.at(-2) ?? null,
  path,
});
const fuyang = region('fuyang', ['fuyang']);
const funan = region('funan', ['fuyang', 'funan']);
const wangyan = region('wangyan', ['fuyang', 'funan', 'wangyan']);
const linquan = region('linquan', ['fuyang', 'linquan']);
const regions = new Map([fuyang, funan, wangyan, linquan].map((r) => [r.id, r]));
const directory = { getRegion: async (id: string) => regions.get(id) ?? null };

const actor = (role: Actor['role'], more: Partial<Actor> = {}): Actor => ({
  userId: `u-${role}`,
  username: role,
  role,
  unitId: null,
  ...more,
});

describe('region reach', () => {
  it('a region lies within its own subtree and the subtrees above it, not a sibling’s', () => {
    expect(liesWithin(wangyan, 'wangyan')).toBe(true);
    expect(liesWithin(wangyan, 'funan')).toBe(true);
    expect(liesWithin(wangyan, 'fuyang')).toBe(true);
    expect(liesWithin(wangyan, 'linquan')).toBe(false);
    expect(liesWithin(funan, 'wangyan')).toBe(false);
  });

  it(
    'a scoped leader covers its subtree only; an admin, the engine and an ' + 'unscoped leader cover everything',
    async () => {
      const county = actor('leader', { regionScopeId: 'funan' });
      expect(await coversRegion(directory, county, 'wangyan')).toBe(true);
      expect(await coversRegion(directory, county, 'linquan')).toBe(false);
      expect(await coversRegion(directory, county, 'fuyang')).toBe(false);
      expect(await coversRegion(directory, county, 'nowhere')).toBe(false);
      expect(await coversRegion(directory, county, null)).toBe(false);
      for (const everywhere of [actor('admin', { regionScopeId: 'funan' }), actor('system'), actor('leader')]) {
        expect(await coversRegion(directory, everywhere, 'linquan')).toBe(true);
      }
    },
  );

  it('the branch of a reach is its subtree and what lies above it', () => {
    expect(onBranchOf(funan, wangyan)).toBe(true);
    expect(onBranchOf(funan, fuyang)).toBe(true);
    expect(onBranchOf(funan, linquan)).toBe(false);
    expect(onBranchOf(null, linquan)).toBe(true);
    expect(onBranchOf('nothing', funan)).toBe(false);
  });

  it('limits an actor’s figures to its unit’s tasks or its region subtree', () => {
    expect(reachOf(actor('unit', { unitId: 'unit-wangyan', regionScopeId: 'funan' }))).toEqual({
      unitId: 'unit-wangyan',
    });
    expect(reachOf(actor('unit')).unitId).toMatch(/^0{8}-/);
    expect(reachOf(actor('inspector', { regionScopeId: 'funan' }))).toEqual({ regionId: 'funan' });
    expect(reachOf(actor('leader'))).toEqual({});
    expect(reachOf(actor('admin', { regionScopeId: 'funan' }))).toEqual({});
  });

  it('lets a unit reach its own tasks and every sub-task below them, not its parent or siblings', async () => {
    const county = actor('unit', { unitId: 'unit-funan' });
    const town = actor('unit', { unitId: 'unit-wangyan' });
    const village = actor('unit', { unitId: 'unit-caiying' });
    const parent = {
      regionId: 'funan',
      leadUnitId: 'unit-funan',
      cooperatingUnitIds: [],
      assigningUnitId: null,
      parentTaskId: null,
    };
    const subtask = {
      regionId: 'wangyan',
      leadUnitId: 'unit-wangyan',
      cooperatingUnitIds: [],
      assigningUnitId: 'unit-funan',
      parentTaskId: 'task-county',
    };
    const sibling = { ...subtask, leadUnitId: 'unit-caoji' };
    const grandchild = {
      regionId: 'wangyan',
      leadUnitId: 'unit-caiying',
      cooperatingUnitIds: [],
      assigningUnitId: 'unit-wangyan',
      parentTaskId: 'task-town',
    };
    const cousin = { ...grandchild, leadUnitId: 'unit-other-village', assigningUnitId: 'unit-caoji' };
    const tasks: Record<string, TaskReach> = {
      'task-county': parent,
      'task-town': subtask,
      'task-sibling-town': sibling,
    };
    const reach = { directory, taskReachOf: async (id: string) => tasks[id] ?? null };
    expect(await maySeeTask(reach, county, parent)).toBe(true);
    expect(await maySeeTask(reach, county, subtask)).toBe(true);
    expect(await maySeeTask(reach, town, subtask)).toBe(true);
    expect(await maySeeTask(reach, town, parent)).toBe(false);
    expect(await maySeeTask(reach, town, sibling)).toBe(false);
    expect(await maySeeTask(reach, town, grandchild)).toBe(true);
    expect(await maySeeTask(reach, village, subtask)).toBe(false);
    expect(await maySeeTask(reach, actor('unit'), { ...subtask, assigningUnitId: null })).toBe(false);
    // Reading reaches every level below (acting does not: that is the domain's assigningUnitId rule).
    expect(await maySeeTask(reach, county, grandchild)).toBe(true);
    expect(await maySeeTask(reach, county, { ...cousin, parentTaskId: 'task-sibling-town' })).toBe(true);
    expect(await maySeeTask(reach, town, { ...cousin, parentTaskId: 'task-sibling-town' })).toBe(false);
    expect(await maySeeTask(reach, village, grandchild)).toBe(true);
    // Whoever covers a task's region covers its sub-tasks: they lie within its place.
    expect(await maySeeTask(reach, actor('inspector', { regionScopeId: 'funan' }), grandchild)).toBe(true);
    expect(await maySeeTask(reach, actor('inspector', { regionScopeId: 'linquan' }), grandchild)).toBe(false);
  });

  it('tells from one tree which nodes a unit reaches in full: its own and everything below them', () => {
    const node = (id: string, leadUnitId: string, parentTaskId: string | null) => ({
      id,
      regionId: 'funan',
      leadUnitId,
      cooperatingUnitIds: [],
      assigningUnitId: null,
      parentTaskId,
    });
    const nodes = [
      node('city', 'unit-fuyang', null),
      node('county', 'unit-funan', 'city'),
      node('town', 'unit-wangyan', 'county'),
      node('other-town', 'unit-caoji', 'county'),
      node('village', 'unit-caiying', 'town'),
    ];
    expect([...unitReachesInTree(actor('unit', { unitId: 'unit-funan' }), nodes)]).toEqual([
      'county',
      'town',
      'other-town',
      'village',
    ]);
    expect([...unitReachesInTree(actor('unit', { unitId: 'unit-wangyan' }), nodes)]).toEqual(['town', 'village']);
    expect([...unitReachesInTree(actor('unit', { unitId: 'unit-caiying' }), nodes)]).toEqual(['village']);
  });
});
