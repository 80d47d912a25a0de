import { TASK_STATUSES } from '@zhenggai/domain';
import { Light } from './traffic-light.sql';

/** How a task list is ordered: by deadline (then id), or by urgency (see {@link URGENCY_ORDER}). */
export const LIST_ORDERS = ['deadline', 'urgency'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

const ENDED = ['closed', 'cancelled'];
const OPEN_STATUSES: readonly string[] = TASK_STATUSES.filter((status) => !ENDED.includes(status));

/**
 * The order of urgency on `today` (a task row `alias` with `status`, `deadline` and `task_id`), as ORDER BY keys:
 * 0 逾期 (open and past its deadline), 1 待签收 (assigned, not yet signed for), 2 待验收 (submitted), 3 the other open
 * tasks, each band nearest deadline first; 4 closed and cancelled last, latest deadline first. Overdue is a matter of
 * the day asked about, so the band is worked out at query time, never stored.
 */
export const URGENCY_ORDER = (alias: string, today: string) => {
  const ended = `${alias}.status IN (${ENDED.map((s) => `'${s}'`).join(', ')})`;
  return `CASE WHEN ${ended} THEN 4 WHEN ${alias}.deadline < ${today} THEN 0
      WHEN ${alias}.status = 'assigned' THEN 1 WHEN ${alias}.status = 'submitted' THEN 2 ELSE 3 END,
    CASE WHEN NOT ${ended} THEN ${alias}.deadline END, CASE WHEN NOT ${ended} THEN ${alias}.task_id END,
    CASE WHEN ${ended} THEN ${alias}.deadline END DESC, CASE WHEN ${ended} THEN ${alias}.task_id END DESC`;
};

/** The ORDER BY keys of `order` on a task row `alias`. */
export const ORDER_OF = (order: ListOrder, alias: string, today: string) =>
  order === 'urgency' ? URGENCY_ORDER(alias, today) : `${alias}.deadline, ${alias}.task_id`;

/** What a list's filters leave of the slices of {@link firstByUrgency}: the statuses, and which side of today. */
export interface UrgencySlices {
  /** The statuses its status and light filters leave (none: every one). */
  readonly status?: readonly string[];
  readonly light?: readonly Light[];
  /** true: overdue only; false: none overdue. */
  readonly overdue?: boolean;
}

/**
 * The first `first` rows of a list by urgency, without sorting every row: one slice per status and side of
 * `today` (a single status over a span of deadlines, which an index on status, deadline and id reads in order), each
 * at most `first` long, merged (the caller sorts them with {@link URGENCY_ORDER}). Any page of `first` rows or fewer
 * is among them: each band is the union of its slices, and the top of a band is the top of each of its slices.
 * `select` reads the columns of task row `alias` (`status`, `deadline` and `task_id` among them) from `from`, where
 * `conditions` hold. The slices the filters in `leave` rule out are not read at all.
 */
export function firstByUrgency(
  select: string,
  from: string,
  conditions: readonly string[],
  alias: string,
  today: string,
  first: string,
  leave: UrgencySlices = {},
): string {
  const statuses = TASK_STATUSES.filter(
    (status) =>
      (!leave.status?.length || leave.status.includes(status)) &&
      (!leave.light?.length || leave.light.some((light) => statusesOfLight(light).includes(status))),
  );
  const slice = (status: string, span: string | null, direction: 'ASC' | 'DESC') => {
    const where = [...conditions, `${alias}.status = '${status}'`, ...(span ? [span] : [])].join(' AND ');
    return `(SELECT ${select} FROM ${from} WHERE ${where}
      ORDER BY ${alias}.deadline ${direction}, ${alias}.task_id ${direction} LIMIT ${first})`;
  };
  const open = statuses.filter((s) => OPEN_STATUSES.includes(s));
  const ended = statuses.filter((s) => ENDED.includes(s));
  const slices = [
    ...(leave.overdue === false ? [] : open.map((s) => slice(s, `${alias}.deadline < ${today}`, 'ASC'))),
    ...(leave.overdue === true ? [] : open.map((s) => slice(s, `${alias}.deadline >= ${today}`, 'ASC'))),
    ...(leave.overdue === true ? [] : ended.map((s) => slice(s, null, 'DESC'))),
  ];
  // Nothing can match: still a query of the same columns and parameters.
  if (slices.length === 0)
    slices.push(`(SELECT ${select} FROM ${from} WHERE ${[...conditions, 'false'].join(' AND ')} LIMIT ${first})`);
  return slices.join('\n UNION ALL ');
}

/** The statuses a task of `light` has. */
function statusesOfLight(light: Light): readonly string[] {
  return light === 'cancelled' ? ['cancelled'] : light.startsWith('closed') ? ['closed'] : OPEN_STATUSES;
}
