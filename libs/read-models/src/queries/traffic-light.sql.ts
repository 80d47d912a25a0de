import { END_OF_DAY } from './local-date.sql';

/** The instant a deadline falls due: the end of its date in Asia/Shanghai. */
export const DUE_AT = (alias: string) => END_OF_DAY(`${alias}.deadline`);

/**
 * 红黄绿灯 in SQL for a task version row, on `today` (the Asia/Shanghai date of the instant asked about) with a
 * warning window of `warn` days. Written with dates alone (a deadline is overdue once its date is past), so it
 * costs next to nothing per row.
 */
export const LIGHT = (alias: string, today: string, warn: string) => `CASE
    WHEN ${alias}.status = 'closed' THEN CASE WHEN ${alias}.closed_on_time THEN 'closed_on_time' ELSE 'closed_late' END
    WHEN ${alias}.status = 'cancelled' THEN 'cancelled'
    WHEN ${alias}.deadline < ${today} THEN 'red'
    WHEN ${alias}.deadline <= ${today} + ${warn} THEN 'yellow'
    ELSE 'green' END`;

/** Open and past its deadline on `today`. */
export const OVERDUE = (alias: string, today: string) =>
  `(${alias}.status NOT IN ('closed', 'cancelled') AND ${alias}.deadline < ${today})`;

/** Versions valid at `$at`: the task as it stood then (deadline, status, quantities). */
export const VALID_AT = (alias: string, at: string) =>
  `${alias}.valid_from <= ${at} AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > ${at})`;

export const LIGHTS = ['green', 'yellow', 'red', 'closed_on_time', 'closed_late', 'cancelled'] as const;
export type Light = (typeof LIGHTS)[number];
