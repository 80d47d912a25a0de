import {
  PreparedProjectionBatch,
  Projection,
  ProjectionSql,
  ProjectionWriteSql,
  StoredEvent,
} from '@zhenggai/application';
import { ASSIGNMENT_LADDER_KEYS } from '@zhenggai/domain';
import { addToCounts } from '../add-to-counts';
import { CHECKING_KINDS, evolveTodo, TODO_EVENT_TYPES, TodoItem, TodoTask } from './todo.fold';

/**
 * 待办 as a read model: for each task, its state as the to-do fold leaves it (`todo_tasks`), and one row per item
 * waiting on someone (`todo_items`), with the unit it waits on (null: the inspection side, for a top-level task's
 * sign-off or extension) and the task's place, so a reader's reach is one condition; and how many items wait on each
 * holder in each place, by kind (`todo_counts`), so that the counts a page's header polls do not count a unit's items
 * one by one (at a million tasks, 0.9 s for a unit holding a hundred thousand). Depends on no other read model.
 */
export const todoProjection: Projection = {
  name: 'todo',
  // 2: the counts per holder, place and kind.
  version: 2,
  eventTypePrefixes: TODO_EVENT_TYPES,
  // An assignment's ladder is never read here (see `ASSIGNMENT_LADDER_KEYS`).
  leaveOutKeys: ASSIGNMENT_LADDER_KEYS,

  async setup(sql: ProjectionSql, schema: string): Promise<void> {
    await sql.query(`
      CREATE TABLE "${schema}".todo_tasks (
        task_id uuid PRIMARY KEY,
        state jsonb NOT NULL
      );
      CREATE TABLE "${schema}".todo_items (
        task_id uuid NOT NULL,
        kind text NOT NULL,
        holder_unit_id uuid,
        region_id uuid NOT NULL,
        lead_unit_id uuid NOT NULL,
        title text NOT NULL,
        deadline date NOT NULL,
        since timestamptz NOT NULL,
        position bigint NOT NULL,
        detail jsonb NOT NULL,
        PRIMARY KEY (task_id, kind)
      );
      CREATE INDEX ON "${schema}".todo_items (holder_unit_id, since, position);
      CREATE INDEX ON "${schema}".todo_items (since, position) WHERE holder_unit_id IS NULL;
      CREATE TABLE "${schema}".todo_counts (
        holder_unit_id uuid NOT NULL,
        region_id uuid NOT NULL,
        kind text NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (holder_unit_id, region_id, kind)
      ) WITH (fillfactor = 50);`);
  },

  views(schema: string) {
    return [
      { name: 'todo_items', select: `SELECT * FROM "${schema}".todo_items` },
      { name: 'todo_counts', select: `SELECT * FROM "${schema}".todo_counts` },
    ];
  },

  /** `prepare` then its `write`, in the batch's transaction. */
  async apply(sql: ProjectionWriteSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    await (await prepareTodo(sql, schema, events, undefined)).write(sql);
  },

  prepare: (sql, schema, events, carried) => prepareTodo(sql, schema, events, carried as TodoCarry | undefined),
};

/** What a batch hands on to the next one, prepared while it is being written: the to-do of each task it folded. */
type TodoCarry = ReadonlyMap<string, TodoTask>;

/**
 * A batch's to-do worked out in Node: its tasks' states are read (those the batch before folded are carried, not read:
 * its rows are not committed yet), its events folded, and what changed compared. Its `write` stores the states that
 * changed, the items removed and added, and the counts they move. Far behind, the runner works the next batch out
 * while the database writes this one.
 */
async function prepareTodo(
  sql: ProjectionSql,
  schema: string,
  events: readonly StoredEvent[],
  carried: TodoCarry | undefined,
): Promise<PreparedProjectionBatch> {
  const taskIds = [...new Set(events.map((e) => e.data?.taskId as string).filter(Boolean))];
  const nothing: PreparedProjectionBatch = { carry: carried, write: async () => undefined };
  if (taskIds.length === 0) return nothing;
  const toRead = carried ? taskIds.filter((id) => !carried.has(id)) : taskIds;
  const { rows } =
    toRead.length === 0
      ? { rows: [] }
      : await sql.query<{ task_id: string; state: TodoTask }>(
          `SELECT task_id, state FROM "${schema}".todo_tasks WHERE task_id = ANY($1::uuid[])`,
          [toRead],
        );
  const stored = new Map<string, TodoTask>(rows.map((r) => [r.task_id, r.state]));
  for (const id of taskIds) if (carried?.has(id)) stored.set(id, carried.get(id)!);
  const tasks = new Map<string, TodoTask | undefined>(stored);
  const touched = new Set<string>();
  for (const event of events) {
    const taskId = event.data?.taskId as string | undefined;
    if (!taskId) continue;
    const next = evolveTodo(tasks.get(taskId), event);
    if (next) {
      tasks.set(taskId, next);
      touched.add(taskId);
    }
  }
  // Only what changed is written: a reminder level opens one item beside those a task has, and asks for no other to
  // be deleted and inserted again (at a catch-up, hundreds of thousands of levels).
  const states: TodoTask[] = [];
  const removed: ItemRow[] = [];
  const added: ItemRow[] = [];
  for (const taskId of touched) {
    const before = stored.get(taskId);
    const after = tasks.get(taskId)!;
    if (before !== undefined && sameJson(before, after)) continue;
    states.push(after);
    const was = new Map((before ? itemRows(before) : []).map((row) => [row.kind, row]));
    const now = new Map(itemRows(after).map((row) => [row.kind, row]));
    for (const [kind, row] of was) if (!sameRow(row, now.get(kind))) removed.push(row);
    for (const [kind, row] of now) if (!sameRow(row, was.get(kind))) added.push(row);
  }
  /** Every task the batch holds, as its rows will be once written. */
  const carry = new Map<string, TodoTask>();
  for (const [taskId, task] of tasks) if (task !== undefined) carry.set(taskId, task);
  if (states.length === 0) return { ...nothing, carry };
  return {
    carry,
    async write(writeSql: ProjectionSql): Promise<void> {
      await writeSql.query(
        `INSERT INTO "${schema}".todo_tasks (task_id, state)
         SELECT (s->>'taskId')::uuid, s FROM jsonb_array_elements($1::jsonb) AS s
         ON CONFLICT (task_id) DO UPDATE SET state = EXCLUDED.state`,
        [JSON.stringify(states)],
      );
      if (removed.length > 0)
        await writeSql.query(
          `DELETE FROM "${schema}".todo_items i USING unnest($1::uuid[], $2::text[]) AS r(task_id, kind)
            WHERE i.task_id = ANY($1::uuid[]) AND i.task_id = r.task_id AND i.kind = r.kind`,
          [removed.map((row) => row.task_id), removed.map((row) => row.kind)],
        );
      if (added.length > 0) {
        await writeSql.query(
          `INSERT INTO "${schema}".todo_items
           SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".todo_items, $1::jsonb)`,
          [JSON.stringify(added)],
        );
      }
      await saveCounts(writeSql, schema, removed, added);
    },
  };
}

/** A row of `todo_items`. */
interface ItemRow extends TodoCountKey {
  readonly task_id: string;
  readonly kind: string;
  readonly lead_unit_id: string;
  readonly title: string;
  readonly deadline: string;
  readonly since: string;
  readonly position: string;
  readonly detail: TodoItem['detail'];
}

/** The rows a task's to-do keeps in `todo_items`, one per item. */
function itemRows(task: TodoTask): ItemRow[] {
  return task.items.map((i) => ({
    task_id: task.taskId,
    kind: i.kind,
    holder_unit_id: CHECKING_KINDS.includes(i.kind) ? task.assigningUnitId : task.leadUnitId,
    region_id: task.regionId,
    lead_unit_id: task.leadUnitId,
    title: task.title,
    deadline: task.deadline,
    since: i.since,
    position: i.position,
    detail: i.detail,
  }));
}

const sameRow = (a: ItemRow, b: ItemRow | undefined) => b !== undefined && sameJson(a, b);

/** Equal as JSON, whatever the order of their keys (a state read back from jsonb has its keys in jsonb's order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const others = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    keys.length === others.length &&
    keys.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** The inspection side, as `todo_counts` keys it (`todo_items` leaves the holder null). */
export const INSPECTION_SIDE = '00000000-0000-0000-0000-000000000000';

interface TodoCountKey {
  holder_unit_id: string | null;
  region_id: string;
  kind: string;
}

/** The counts moved by the items a batch removed and those it added (a count brought to nothing is deleted). */
async function saveCounts(
  sql: ProjectionSql,
  schema: string,
  removed: readonly TodoCountKey[],
  added: readonly TodoCountKey[],
): Promise<void> {
  const deltas = new Map<string, TodoCountKey & { n: number }>();
  const count = (item: TodoCountKey, sign: 1 | -1) => {
    const holder = item.holder_unit_id ?? INSPECTION_SIDE;
    const key = `${holder}|${item.region_id}|${item.kind}`;
    const delta = deltas.get(key) ?? { holder_unit_id: holder, region_id: item.region_id, kind: item.kind, n: 0 };
    delta.n += sign;
    deltas.set(key, delta);
  };
  for (const item of removed) count(item, -1);
  for (const item of added) count(item, +1);
  const changed = [...deltas.values()].filter((d) => d.n !== 0);
  if (changed.length === 0) return;
  await addToCounts(sql, `"${schema}".todo_counts`, {
    key: ['holder_unit_id', 'region_id', 'kind'],
    add: ['n'],
    emptied: 'n = 0',
    deltas: changed,
  });
}
