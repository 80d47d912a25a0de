import { Projection, ProjectionSql, StoredEvent } from '@zhenggai/application';
import { CHECKING_KINDS, evolveTodo, TODO_EVENT_TYPES, TodoTask } from './todo.fold';

/**
 * 待办 as a read model: for each task, its state as the to-do fold leaves it (`todo_tasks`), and one row per item
 * waiting on someone (`todo_items`), with the unit it waits on (null: the inspection side, for a top-level task's
 * sign-off or extension) and the task's place, so a reader's reach is one condition. Depends on no other read model.
 */
export const todoProjection: Projection = {
  name: 'todo',
  eventTypePrefixes: TODO_EVENT_TYPES,

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
      CREATE INDEX ON "${schema}".todo_items (since, position) WHERE holder_unit_id IS NULL;`);
  },

  views(schema: string) {
    return [{ name: 'todo_items', select: `SELECT * FROM "${schema}".todo_items` }];
  },

  async apply(sql: ProjectionSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    const taskIds = [...new Set(events.map((e) => e.data?.taskId as string).filter(Boolean))];
    if (taskIds.length === 0) return;
    const { rows } = await sql.query<{ task_id: string; state: TodoTask }>(
      `SELECT task_id, state FROM "${schema}".todo_tasks WHERE task_id = ANY($1::uuid[])`,
      [taskIds],
    );
    const tasks = new Map<string, TodoTask | undefined>(rows.map((r) => [r.task_id, r.state]));
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
    if (touched.size === 0) return;
    const states = [...touched].map((id) => tasks.get(id)!);
    await sql.query(
      `INSERT INTO "${schema}".todo_tasks (task_id, state)
       SELECT (s->>'taskId')::uuid, s FROM jsonb_array_elements($1::jsonb) AS s
       ON CONFLICT (task_id) DO UPDATE SET state = EXCLUDED.state`,
      [JSON.stringify(states)],
    );
    await sql.query(`DELETE FROM "${schema}".todo_items WHERE task_id = ANY($1::uuid[])`, [[...touched]]);
    const items = states.flatMap((task) =>
      task.items.map((i) => ({
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
      })),
    );
    if (items.length > 0) {
      await sql.query(
        `INSERT INTO "${schema}".todo_items
         SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".todo_items, $1::jsonb)`,
        [JSON.stringify(items)],
      );
    }
  },
};
