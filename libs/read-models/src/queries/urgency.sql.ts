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
  const ended = ENDED_SQL(alias);
  return `${URGENCY_BAND(alias, today)},
    CASE WHEN NOT ${ended} THEN ${alias}.deadline END, CASE WHEN NOT ${ended} THEN ${alias}.task_id END,
    CASE WHEN ${ended} THEN ${alias}.deadline END DESC, CASE WHEN ${ended} THEN ${alias}.task_id END DESC`;
};

const ENDED_SQL = (alias: string) => `${alias}.status IN (${ENDED.map((s) => `'${s}'`).join(', ')})`;

/** The band of urgency of {@link URGENCY_ORDER}, 0 (逾期) to 4 (ended), of a task row `alias` on `today`. */
const URGENCY_BAND = (alias: string, today: string) =>
  `CASE WHEN ${ENDED_SQL(alias)} THEN 4 WHEN ${alias}.deadline < ${today} THEN 0
      WHEN ${alias}.status = 'assigned' THEN 1 WHEN ${alias}.status = 'submitted' THEN 2 ELSE 3 END`;

/** The band of {@link URGENCY_BAND} of a task of `status` due `deadline` (YYYY-MM-DD), on `today`. */
export function urgencyBand(status: string, deadline: string, today: string): number {
  if (ENDED.includes(status)) return 4;
  if (deadline < today) return 0;
  return bandAhead(status);
}

/** The band of an open task of `status` not yet overdue: 1 待签收, 2 待验收, 3 the other open tasks. */
const bandAhead = (status: string) => (status === 'assigned' ? 1 : status === 'submitted' ? 2 : 3);

/**
 * Where the next page of a list starts (keyset paging): after the task `id` due `deadline`, of urgency `band` in a list
 * by urgency (null in a list by deadline). As text (a page's `next`): `2018-09-30.<id>` by deadline,
 * `u3.2018-09-30.<id>` by urgency.
 */
export interface ListCursor {
  readonly band: number | null;
  readonly deadline: string;
  readonly id: string;
}

/** A cursor's text, as a list's `next` carries it. */
export const LIST_CURSOR =
  /^(?:u([0-4])\.)?(\d{4}-\d{2}-\d{2})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The cursor after `row` in a list in `order` on `today`. */
export function listCursorAfter(
  order: ListOrder,
  row: { id: string; status: string; deadline: string },
  today: string,
) {
  return `${order === 'urgency' ? `u${urgencyBand(row.status, row.deadline, today)}.` : ''}${row.deadline}.${row.id}`;
}

/** The cursor `text` says, if it is one of a list in `order`; else null. */
export function parseListCursor(text: string, order: ListOrder): ListCursor | null {
  const match = LIST_CURSOR.exec(text.toLowerCase());
  if (!match || (match[1] === undefined) !== (order === 'deadline')) return null;
  return { band: match[1] === undefined ? null : Number(match[1]), deadline: match[2], id: match[3] };
}

/** A {@link ListCursor} in a query: its deadline and id as SQL (bound parameters), its band as it is. */
export type CursorSql = ListCursor;

/**
 * The rows of task row `alias` after `cursor` in `order` on `today`: a condition the indexes on (…, deadline, task_id)
 * answer by seeking, however deep the page.
 */
export function AFTER_CURSOR(order: ListOrder, alias: string, today: string, cursor: CursorSql): string {
  if (order === 'deadline' || cursor.band === null) return PAST(alias, cursor, 'ASC');
  const band = URGENCY_BAND(alias, today);
  const within = PAST(alias, cursor, cursor.band === 4 ? 'DESC' : 'ASC');
  return `(${band} > ${cursor.band} OR (${band} = ${cursor.band} AND ${within}))`;
}

/** The rows of task row `alias` beyond the cursor's deadline and id, read in `direction` (a row comparison). */
const PAST = (alias: string, cursor: CursorSql, direction: 'ASC' | 'DESC') =>
  `(${alias}.deadline, ${alias}.task_id) ${direction === 'ASC' ? '>' : '<'} (${cursor.deadline}, ${cursor.id})`;

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
 * `conditions` hold. The slices the filters in `leave` rule out are not read at all. `after`: the first `first` rows
 * after that cursor instead (each slice read on from it, or not at all when its band comes before the cursor's).
 */
export function firstByUrgency(
  select: string,
  from: string,
  conditions: readonly string[],
  alias: string,
  today: string,
  first: string,
  leave: UrgencySlices = {},
  after: CursorSql | null = null,
): string {
  const statuses = TASK_STATUSES.filter(
    (status) =>
      (!leave.status?.length || leave.status.includes(status)) &&
      (!leave.light?.length || leave.light.some((light) => statusesOfLight(light).includes(status))),
  );
  // A slice's tasks are all of one band: none of a band before the cursor's is read; a slice of its band reads on
  // from the cursor.
  const slice = (status: string, span: string | null, direction: 'ASC' | 'DESC', band: number) => {
    if (after?.band != null && band < after.band) return [];
    const from_ = after?.band === band ? [PAST(alias, after, direction)] : [];
    const where = [...conditions, `${alias}.status = '${status}'`, ...(span ? [span] : []), ...from_].join(' AND ');
    return [
      `(SELECT ${select} FROM ${from} WHERE ${where}
      ORDER BY ${alias}.deadline ${direction}, ${alias}.task_id ${direction} LIMIT ${first})`,
    ];
  };
  const open = statuses.filter((s) => OPEN_STATUSES.includes(s));
  const ended = statuses.filter((s) => ENDED.includes(s));
  const slices = [
    ...(leave.overdue === false ? [] : open.flatMap((s) => slice(s, `${alias}.deadline < ${today}`, 'ASC', 0))),
    ...(leave.overdue === true
      ? []
      : open.flatMap((s) => slice(s, `${alias}.deadline >= ${today}`, 'ASC', bandAhead(s)))),
    ...(leave.overdue === true ? [] : ended.flatMap((s) => slice(s, null, 'DESC', 4))),
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
