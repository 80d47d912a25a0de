import { Category, Directory, DirectoryChange, Region, Unit } from '../directory/directory.port';

/** 阜阳市 › 阜南县 › 王堰镇 › 蔡郢村, and 阜阳市 › 临泉县 › 姜寨镇; a unit in each place. */
const region = (id: string, parent: Region | null): Region => ({
  id,
  code: id,
  name: id,
  level: 'village',
  parentId: parent?.id ?? null,
  path: [...(parent?.path ?? []), id],
});
const city = region('fuyang', null);
const funan = region('funan', city);
const wangyan = region('wangyan', funan);
const caiying = region('caiying', wangyan);
const linquan = region('linquan', city);
const jiangzhai = region('jiangzhai', linquan);
const unitOf = (id: string, place: Region): Unit => ({
  id,
  name: id,
  regionId: place.id,
  headName: null,
  contact: null,
});
const units = [
  unitOf('city-office', city),
  unitOf('funan-housing', funan),
  unitOf('wangyan-town', wangyan),
  unitOf('caiying-village', caiying),
  unitOf('jiangzhai-town', jiangzhai),
];

/**
 * The directory's tables in memory, over the places above; `apply` keeps the units registered, `setUnitChannels`
 * nothing.
 */
export class FakeDirectory implements Directory {
  private readonly regions = new Map([city, funan, wangyan, caiying, linquan, jiangzhai].map((r) => [r.id, r]));
  private readonly units = new Map(units.map((u) => [u.id, u]));
  private readonly categories: Category[] = [{ id: 'c1', code: 'roads', name: '道路' }];
  listRegions = async () => [...this.regions.values()];
  getRegion = async (id: string) => this.regions.get(id) ?? null;
  findRegionByCode = async (code: string) => [...this.regions.values()].find((r) => r.code === code) ?? null;
  listUnits = async () => [...this.units.values()];
  getUnit = async (id: string) => this.units.get(id) ?? null;
  findUnitByName = async (name: string) => [...this.units.values()].find((u) => u.name === name) ?? null;
  listCategories = async () => this.categories;
  findCategoryByCode = async (code: string) => this.categories.find((c) => c.code === code) ?? null;
  setUnitChannels = async () => undefined;
  /** Every change `apply` was given, in order. */
  readonly applied: DirectoryChange[] = [];
  apply = async (changes: readonly DirectoryChange[]) => {
    for (const change of changes) {
      this.applied.push(change);
      if (change.type === 'UnitRegistered')
        this.units.set(change.data.unitId, {
          id: change.data.unitId,
          name: change.data.name,
          regionId: change.data.regionId,
          headName: null,
          contact: null,
        });
    }
  };
}
