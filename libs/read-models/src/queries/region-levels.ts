import { ProjectionSql } from '@zhenggai/application';
import { RegionLevel, roundQuantity } from '@zhenggai/domain';

/** Where a row rolled up by region level counts: a region of the level asked, or a place above it. */
export interface RegionOfLevel {
  readonly regionId: string;
  readonly regionName: string | null;
  /** The level asked, or a level above it for a row of work placed above that level (null: not in the directory). */
  readonly regionLevel: RegionLevel | null;
}

/**
 * 市 › 县 › 乡镇 › 村: figures counted per region (each task's own part, in the region of its place) rolled up to the
 * regions of each level asked. A row goes to the region of that level on its region's path (the directory's
 * `regions.path`, from the top of the tree down to the region itself): its county, town or village. A row whose
 * region lies above the level (a county's own part, asked by town) stays a row of its own place, so the rows of
 * every level add up to the same totals as the rows they came from and nothing is counted twice. Figures add up as
 * SQL sums them: null only when every row says nothing.
 */
export async function rollUpByRegionLevel<T extends Record<keyof T, number | null>>(
  sql: ProjectionSql,
  rows: ReadonlyArray<{ regionId: string; figures: T }>,
  levels: readonly RegionLevel[],
): Promise<Partial<Record<RegionLevel, Array<RegionOfLevel & T>>>> {
  const { rows: regions } = await sql.query<{ id: string; name: string; level: RegionLevel; path: string[] }>(
    `SELECT a.id, a.name, a.level, a.path FROM regions a
      WHERE a.id IN (SELECT unnest(r.path) FROM regions r WHERE r.id = ANY($1::uuid[]))`,
    [[...new Set(rows.map((row) => row.regionId))]],
  );
  const byId = new Map(regions.map((r) => [r.id, r]));
  const answer: Partial<Record<RegionLevel, Array<RegionOfLevel & T>>> = {};
  for (const level of levels) {
    const rolled = new Map<string, RegionOfLevel & T>();
    for (const { regionId, figures } of rows) {
      const own = byId.get(regionId);
      const at = own?.path.map((id) => byId.get(id)).find((r) => r?.level === level) ?? own;
      const key = at?.id ?? regionId;
      const sum: T | undefined = rolled.get(key);
      if (sum) for (const name of Object.keys(figures) as Array<keyof T>) sum[name] = add(sum[name], figures[name]);
      else rolled.set(key, { regionId: key, regionName: at?.name ?? null, regionLevel: at?.level ?? null, ...figures });
    }
    answer[level] = [...rolled.values()];
  }
  return answer;
}

/** Quantities have four decimal places: the sum is rounded to them, so it does not hang on the order of the rows. */
function add<V extends number | null>(a: V, b: V): V {
  return (a === null && b === null ? null : roundQuantity((a ?? 0) + (b ?? 0))) as V;
}
