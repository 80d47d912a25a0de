import { Projection, ProjectionSql, StoredEvent } from '@zhenggai/application';
import { ASSIGNMENT_LADDER_KEYS, type ReminderRecipient } from '@zhenggai/domain';
import { addToCounts } from '../add-to-counts';

/**
 * The in-app inbox: one message per account named as a `user` recipient of a reminder or escalation recorded on
 * a task, and when that account first read it. Units' own channels (webhook, e-mail) are not the inbox, so
 * `unit` recipients get no row. Task titles come from the task's assignment, kept here so that the inbox
 * depends on no other read model. Each account's unread messages are also counted as they come and go
 * (`inbox_unread`): the count every inbox page and header answers does not count them one by one.
 */
export const inboxProjection: Projection = {
  name: 'inbox',
  // 2: the unread count kept per account.
  version: 2,
  // Only the task events it reads: progress reports and the like are neither fetched nor parsed for it.
  eventTypePrefixes: [
    'RectificationTaskAssigned',
    'RectificationTaskReassigned',
    'RectificationTaskReminded',
    'RectificationTaskEscalated',
    'RectificationTaskReminderRead',
  ],
  // An assignment's ladder is never read here (see `ASSIGNMENT_LADDER_KEYS`).
  leaveOutKeys: ASSIGNMENT_LADDER_KEYS,

  async setup(sql: ProjectionSql, schema: string): Promise<void> {
    await sql.query(`
      CREATE TABLE "${schema}".inbox_messages (
        user_id uuid NOT NULL,
        task_id uuid NOT NULL,
        reminder_id text NOT NULL,
        kind text NOT NULL,
        level text NOT NULL,
        label text NOT NULL,
        deadline date NOT NULL,
        due_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        read_at timestamptz,
        position bigint NOT NULL,
        PRIMARY KEY (user_id, task_id, reminder_id)
      );
      CREATE INDEX ON "${schema}".inbox_messages (user_id, position DESC);
      CREATE INDEX ON "${schema}".inbox_messages (user_id, position DESC) WHERE read_at IS NULL;
      CREATE TABLE "${schema}".inbox_task_titles (
        task_id uuid PRIMARY KEY,
        title text NOT NULL,
        lead_unit_id uuid NOT NULL
      );
      CREATE TABLE "${schema}".inbox_unread (
        user_id uuid PRIMARY KEY,
        n integer NOT NULL
      ) WITH (fillfactor = 50);`);
  },

  views(schema: string) {
    return [
      { name: 'inbox_messages', select: `SELECT * FROM "${schema}".inbox_messages` },
      { name: 'inbox_task_titles', select: `SELECT * FROM "${schema}".inbox_task_titles` },
      { name: 'inbox_unread', select: `SELECT * FROM "${schema}".inbox_unread` },
    ];
  },

  async apply(sql: ProjectionSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    const titles = new Map<string, TitleRow>();
    const leadUnits = new Map<string, string>();
    const messages = new Map<string, MessageRow>();
    const reads = new Map<string, ReadRow>();

    for (const event of events) {
      switch (event.type) {
        case 'RectificationTaskAssigned':
          titles.set(event.data.taskId, {
            task_id: event.data.taskId,
            title: event.data.title,
            lead_unit_id: event.data.leadUnitId,
          });
          break;
        case 'RectificationTaskReassigned':
          leadUnits.set(event.data.taskId, event.data.leadUnitId);
          break;
        case 'RectificationTaskReminded':
        case 'RectificationTaskEscalated':
          for (const row of messageRows(event)) {
            const key = messageKey(row.user_id, row.task_id, row.reminder_id);
            if (!messages.has(key)) messages.set(key, row);
          }
          break;
        case 'RectificationTaskReminderRead': {
          const { taskId, reminderId, readBy } = event.data;
          const key = messageKey(readBy.userId, taskId, reminderId);
          // Only the first read counts; a message and its read in one batch are merged before any SQL.
          const message = messages.get(key);
          if (message) message.read_at ??= occurredAt(event);
          else if (!reads.has(key))
            reads.set(key, {
              user_id: readBy.userId,
              task_id: taskId,
              reminder_id: reminderId,
              read_at: occurredAt(event),
            });
          break;
        }
      }
    }

    if (titles.size > 0) {
      await sql.query(
        `INSERT INTO "${schema}".inbox_task_titles
         SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".inbox_task_titles, $1::jsonb)
         ON CONFLICT (task_id) DO UPDATE SET title = EXCLUDED.title, lead_unit_id = EXCLUDED.lead_unit_id`,
        [JSON.stringify([...titles.values()])],
      );
    }
    if (leadUnits.size > 0) {
      await sql.query(
        `UPDATE "${schema}".inbox_task_titles t SET lead_unit_id = r.lead_unit_id
           FROM jsonb_to_recordset($1::jsonb) AS r(task_id uuid, lead_unit_id uuid)
          WHERE t.task_id = r.task_id`,
        [JSON.stringify([...leadUnits].map(([task_id, lead_unit_id]) => ({ task_id, lead_unit_id })))],
      );
    }
    /** Each account's unread messages added (by a message stored unread) and taken away (by its first read). */
    const unread = new Map<string, number>();
    const moveUnread = (userId: string, by: number) => unread.set(userId, (unread.get(userId) ?? 0) + by);
    if (messages.size > 0) {
      // A reminder is recorded once per level and deadline version; a repeat keeps the message as first recorded.
      const { rows } = await sql.query<{ user_id: string }>(
        `INSERT INTO "${schema}".inbox_messages
         SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".inbox_messages, $1::jsonb)
         ON CONFLICT (user_id, task_id, reminder_id) DO NOTHING
         RETURNING user_id, read_at`,
        [JSON.stringify([...messages.values()])],
      );
      for (const row of rows as Array<{ user_id: string; read_at: unknown }>)
        if (row.read_at === null) moveUnread(row.user_id, +1);
    }
    if (reads.size > 0) {
      const { rows } = await sql.query<{ user_id: string }>(
        `UPDATE "${schema}".inbox_messages m SET read_at = r.read_at
           FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, task_id uuid, reminder_id text, read_at timestamptz)
          WHERE m.user_id = r.user_id AND m.task_id = r.task_id AND m.reminder_id = r.reminder_id AND m.read_at IS
            NULL
          RETURNING m.user_id`,
        [JSON.stringify([...reads.values()])],
      );
      for (const row of rows) moveUnread(row.user_id, -1);
    }
    const moved = [...unread].filter(([, n]) => n !== 0).map(([user_id, n]) => ({ user_id, n }));
    if (moved.length > 0)
      await addToCounts(sql, `"${schema}".inbox_unread`, {
        key: ['user_id'],
        add: ['n'],
        emptied: 'n = 0',
        deltas: moved,
      });
  },
};

interface TitleRow {
  task_id: string;
  title: string;
  lead_unit_id: string;
}

interface MessageRow {
  user_id: string;
  task_id: string;
  reminder_id: string;
  kind: 'reminder' | 'escalation';
  level: string;
  label: string;
  deadline: string;
  due_at: string;
  recorded_at: string;
  read_at: string | null;
  position: string;
}

interface ReadRow {
  user_id: string;
  task_id: string;
  reminder_id: string;
  read_at: string;
}

const messageKey = (userId: string, taskId: string, reminderId: string) => `${userId}|${taskId}|${reminderId}`;

const occurredAt = (event: StoredEvent): string => event.metadata?.occurredAt ?? event.recordedAt;

function messageRows(event: StoredEvent): MessageRow[] {
  const { taskId, reminderId, level, label, deadline, dueAt, recipients } = event.data;
  const users = new Set<string>();
  for (const recipient of recipients as readonly ReminderRecipient[])
    if (recipient.kind === 'user') users.add(recipient.id);
  return [...users].map((userId) => ({
    user_id: userId,
    task_id: taskId,
    reminder_id: reminderId,
    kind: event.type === 'RectificationTaskEscalated' ? 'escalation' : 'reminder',
    level,
    label,
    deadline,
    due_at: dueAt,
    recorded_at: occurredAt(event),
    read_at: null,
    position: event.position.toString(),
  }));
}
