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

/** The region of `level` on the path of the region `region` (the region itself if it is of that level), or null. */
export const REGION_OF_LEVEL = (region: string, level: string) =>
  `(SELECT a.id FROM regions r JOIN regions a ON a.id = ANY(r.path) WHERE r.id = ${region} AND a.level = ${level})`;

/** As {@link IN_REGION_SUBTREE}, for a nullable region parameter: null, anywhere. */
export const WITHIN_REGION = (column: string, region: string, columnType: 'uuid' | 'text' = 'uuid') =>
  `(${region}::uuid IS NULL OR ${IN_REGION_SUBTREE(column, region, columnType)})`;

/** The task row `alias` is the unit `unit`'s own: it leads the task or cooperates on it, or handed it out. */
const UNITS_OWN = (alias: string, unit: string) =>
  `(${alias}.lead_unit_id = ${unit}::uuid OR ${unit}::uuid = ANY(${alias}.cooperating_unit_ids)
    OR ${alias}.assigning_unit_id = ${unit}::uuid)`;

/**
 * The task row `alias` lies within the unit `unit`'s reach (逐级分解, rule 5): the task is its own (see above), or
 * lies below one of its own tasks at any depth. The twin of `maySeeTask`: the tasks above are taken as they stand
 * now (a sub-task's parent never changes; its unit changes only once its sub-tasks are done), from the rows of who
 * reaches what that the tasks read model keeps (`task_reach`, `below`: through a task above).
 */
export const OF_UNIT = (alias: string, unit: string) =>
  `(${UNITS_OWN(alias, unit)}
    OR ${alias}.task_id IN (SELECT r.task_id FROM read_models.task_reach r
      WHERE r.unit_id = ${unit}::uuid AND r.below))`;

/** Task rows within a reach given as two nullable uuid parameters, a region and a unit (null: no limit). */
export const WITHIN_REACH = (alias: string, region: string, unit: string) =>
  `${WITHIN_REGION(`${alias}.region_id`, region)}
  AND (${unit}::uuid IS NULL OR ${OF_UNIT(alias, unit)})`;
