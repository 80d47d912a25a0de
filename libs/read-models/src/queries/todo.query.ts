import { ProjectionSql } from '@zhenggai/application';
import { TODO_KINDS, TodoKind, UNCOUNTED_KINDS } from '../todo/todo.fold';
import { INSPECTION_SIDE } from '../todo/todo.projection';
import { WITHIN_REGION } from './reach.sql';
import { SqlParams } from './sql-params';
import { untilUpgraded } from './until-upgraded';

/** Whose to-do: a unit user's is its unit's; an inspector's the inspection side's within its region (null: all). */
export type TodoHolder =
  | { readonly unitId: string }
  | { readonly inspection: true; readonly regionId: string | null }
  | { readonly nobody: true };

export interface TodoEntry {
  readonly taskId: string;
  readonly kind: TodoKind;
  readonly title: string;
  readonly deadline: string;
  readonly leadUnitId: string;
  readonly leadUnitName: string | null;
  readonly regionId: string;
  readonly regionName: string | null;
  /** When the hand-over happened. */
  readonly since: string;
  readonly detail: Record<string, string | number | boolean | null>;
}

export interface TodoCounts {
  readonly total: number;
  /** What the navigation's badge shows: the items handed over (all but the unit's own next step, a plan to record). */
  readonly badge: number;
  /** Every kind, 0 where nothing waits. */
  readonly byKind: Record<TodoKind, number>;
}

export interface TodoList extends TodoCounts {
  /** Oldest first. */
  readonly items: TodoEntry[];
  /** The items after these: `after=<next>` (null when there are none). */
  readonly next: string | null;
}

/**
 * Where a page of the to-do ends: its last item's time (microseconds since 1970), the position of the event that
 * handed it over, its task and its kind, the list's order. Read by index however deep.
 */
const TODO_CURSOR =
  /^(\d{1,17})\.(\d{1,19})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([a-z_]{1,40})$/;

/** Whether `cursor` is the `next` of a page of the to-do. */
export function isTodoCursor(cursor: string): boolean {
  return TODO_CURSOR.test(cursor);
}

/** One reader's 待办, from the `todo` read model. */
export class TodoQueries {
  constructor(private readonly sql: ProjectionSql) {}

  /** `limit` items oldest first, after the page ending at `after` (a page's `next`) when given. */
  async list(holder: TodoHolder, options: { kind?: TodoKind; limit: number; after?: string }): Promise<TodoList> {
    const counts = await this.counts(holder);
    if ('nobody' in holder) return { ...counts, items: [], next: null };
    const params = new SqlParams();
    const clauses = [this.holding(holder, params)];
    if (options.kind) clauses.push(`i.kind = ${params.add(options.kind)}`);
    const after = options.after === undefined ? null : TODO_CURSOR.exec(options.after);
    if (options.after !== undefined && !after) throw new RangeError(`not a to-do cursor: ${options.after}`);
    if (after)
      clauses.push(
        `(i.since, i.position, i.task_id, i.kind) > ('epoch'::timestamptz + ${params.add(after[1])}::bigint * ` +
          `interval '1 microsecond', ${params.add(after[2])}::bigint, ${params.add(after[3])}::uuid, ` +
          `${params.add(after[4])}::text)`,
      );
    const { rows } = await this.sql.query<
      Omit<TodoEntry, 'since'> & { since: Date | string; sinceMicros: string; position: string }
    >(
      `SELECT i.task_id AS "taskId", i.kind, i.title, to_char(i.deadline, 'YYYY-MM-DD') AS deadline,
              i.lead_unit_id AS "leadUnitId", u.name AS "leadUnitName", i.region_id AS "regionId",
              r.name AS "regionName", i.since, i.detail,
              (extract(epoch FROM i.since) * 1000000)::bigint::text AS "sinceMicros", i.position::text AS position
         FROM read_models.todo_items i
         LEFT JOIN units u ON u.id = i.lead_unit_id
         LEFT JOIN regions r ON r.id = i.region_id
        WHERE ${clauses.join(' AND ')}
        ORDER BY i.since, i.position, i.task_id, i.kind
        LIMIT ${params.add(options.limit + 1)}`,
      params.values,
    );
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      ...counts,
      items: page.map(({ sinceMicros: _micros, position: _position, ...row }) => ({
        ...row,
        since: new Date(row.since).toISOString(),
      })),
      next:
        rows.length > options.limit && last ? `${last.sinceMicros}.${last.position}.${last.taskId}.${last.kind}` : null,
    };
  }

  async counts(holder: TodoHolder): Promise<TodoCounts> {
    const byKind = Object.fromEntries(TODO_KINDS.map((k) => [k, 0])) as Record<TodoKind, number>;
    if ('nobody' in holder) return { total: 0, badge: 0, byKind };
    // From the counts kept per holder, place and kind: a few rows, however many items wait (the items counted one by
    // one while a read model built before the counts serves).
    const count = async (counted: boolean) => {
      const params = new SqlParams();
      return this.sql.query<{ kind: TodoKind; n: number }>(
        counted
          ? `SELECT i.kind, sum(i.n)::int AS n FROM read_models.todo_counts i
              WHERE ${this.holding(holder, params, true)} GROUP BY i.kind HAVING sum(i.n) > 0`
          : `SELECT i.kind, count(*)::int AS n FROM read_models.todo_items i
              WHERE ${this.holding(holder, params)} GROUP BY i.kind`,
        params.values,
      );
    };
    const { rows } = await untilUpgraded(
      () => count(true),
      () => count(false),
    );
    for (const row of rows) byKind[row.kind] = row.n;
    const sum = (list: typeof rows) => list.reduce((n, row) => n + row.n, 0);
    return { total: sum(rows), badge: sum(rows.filter((r) => !UNCOUNTED_KINDS.includes(r.kind))), byKind };
  }

  /** The rows of what waits on `holder`: of the items, or (`counted`) of the counts, which key the inspection side. */
  private holding(holder: Exclude<TodoHolder, { nobody: true }>, params: SqlParams, counted = false): string {
    if ('unitId' in holder) return `i.holder_unit_id = ${params.add(holder.unitId)}::uuid`;
    const side = counted ? `i.holder_unit_id = '${INSPECTION_SIDE}'::uuid` : 'i.holder_unit_id IS NULL';
    return `${side} AND ${WITHIN_REGION('i.region_id', params.add(holder.regionId))}`;
  }
}
