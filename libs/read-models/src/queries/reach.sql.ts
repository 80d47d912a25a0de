/**
 * Region reach in SQL: the twin of the application's jurisdiction rule (`liesWithin`, `reachOf`), and the one
 * place the read models write it. A region lies within another's subtree when the other is on its path (the
 * directory's `regions.path`, from the top of the tree down to the region itself).
 */

/**
 * `column`, a region id, lies in the subtree under the region `region` (the region itself included). `text`: the
 * column holds the id as text.
 */
export const IN_REGION_SUBTREE = (column: string, region: string, columnType: 'uuid' | 'text' = 'uuid') =>
  `${column} IN (SELECT id${columnType === 'text' ? '::text' : ''} FROM regions WHERE ${region}::uuid = ANY(path))`;

/** As {@link IN_REGION_SUBTREE}, for a nullable region parameter: null, anywhere. */
export const WITHIN_REGION = (column: string, region: string, columnType: 'uuid' | 'text' = 'uuid') =>
  `(${region}::uuid IS NULL OR ${IN_REGION_SUBTREE(column, region, columnType)})`;

/** The task row `alias` is the unit `unit`'s: it leads the task or cooperates on it. */
export const OF_UNIT = (alias: string, unit: string) =>
  `(${alias}.lead_unit_id = ${unit}::uuid OR ${unit}::uuid = ANY(${alias}.cooperating_unit_ids))`;

/** Task rows within a reach given as two nullable uuid parameters, a region and a unit (null: no limit). */
export const WITHIN_REACH = (alias: string, region: string, unit: string) =>
  `${WITHIN_REGION(`${alias}.region_id`, region)}
  AND (${unit}::uuid IS NULL OR ${OF_UNIT(alias, unit)})`;
