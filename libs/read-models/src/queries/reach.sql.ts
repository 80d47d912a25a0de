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

/** The task row `alias` is the unit `unit`'s own: it leads the task or cooperates on it, or handed it out. */
const UNITS_OWN = (alias: string, unit: string) =>
  `(${alias}.lead_unit_id = ${unit}::uuid OR ${unit}::uuid = ANY(${alias}.cooperating_unit_ids)
    OR ${alias}.assigning_unit_id = ${unit}::uuid)`;

/**
 * The task row `alias` lies within the unit `unit`'s reach (逐级分解, rule 5): the task is its own (see above), or
 * lies below one of its own tasks at any depth. The twin of `maySeeTask`: the tasks above are taken as they stand
 * now (a sub-task's parent never changes; its unit changes only once its sub-tasks are done), and only those broken
 * down are walked, once per query.
 */
export const OF_UNIT = (alias: string, unit: string) =>
  `(${UNITS_OWN(alias, unit)}
    OR (${alias}.parent_task_id IS NOT NULL AND ${alias}.parent_task_id IN (
      WITH RECURSIVE above(task_id) AS (
        SELECT t.task_id FROM read_models.tasks t WHERE t.subtask_count > 0 AND ${UNITS_OWN('t', unit)}
        UNION
        SELECT c.task_id FROM read_models.tasks c JOIN above ON c.parent_task_id = above.task_id
         WHERE c.subtask_count > 0)
      SELECT task_id FROM above)))`;

/** Task rows within a reach given as two nullable uuid parameters, a region and a unit (null: no limit). */
export const WITHIN_REACH = (alias: string, region: string, unit: string) =>
  `${WITHIN_REGION(`${alias}.region_id`, region)}
  AND (${unit}::uuid IS NULL OR ${OF_UNIT(alias, unit)})`;
