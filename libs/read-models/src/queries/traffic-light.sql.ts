/**
 * 红黄绿灯 in SQL, for a task version row `v` seen at instant `$at` (timestamptz) with a warning window of
 * `$warn` days. A deadline falls due at the end of its date in Asia/Shanghai.
 */
export const DUE_AT = (alias: string) => `((${alias}.deadline + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`;

export const LIGHT = (alias: string, at: string, warn: string) => `CASE
    WHEN ${alias}.status = 'closed' THEN CASE WHEN ${alias}.closed_at < ${DUE_AT(alias)} THEN 'closed_on_time' ELSE 'closed_late' END
    WHEN ${alias}.status = 'cancelled' THEN 'cancelled'
    WHEN ${at} >= ${DUE_AT(alias)} THEN 'red'
    WHEN ${alias}.deadline - (${at} AT TIME ZONE 'Asia/Shanghai')::date <= ${warn} THEN 'yellow'
    ELSE 'green' END`;

/** Versions valid at `$at`: the task as it stood then (deadline, status, quantities). */
export const VALID_AT = (alias: string, at: string) => `${alias}.valid_from <= ${at} AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > ${at})`;

/** Region ids in the subtree under `$region` (the region itself included), from the directory. */
export const REGION_SUBTREE = (region: string) => `(WITH RECURSIVE subtree AS (
      SELECT id FROM regions WHERE id = ${region}
      UNION ALL SELECT r.id FROM regions r JOIN subtree s ON r.parent_id = s.id)
    SELECT id FROM subtree)`;

export const LIGHTS = ['green', 'yellow', 'red', 'closed_on_time', 'closed_late', 'cancelled'] as const;
export type Light = (typeof LIGHTS)[number];
