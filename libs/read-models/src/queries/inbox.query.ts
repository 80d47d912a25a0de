import { ProjectionSql } from '@zhenggai/application';
import { SqlParams } from './sql-params';
import { untilUpgraded } from './until-upgraded';

/** A reminder or escalation as one account's inbox shows it. */
export interface InboxMessage {
  readonly taskId: string;
  /** `<deadlineVersion>:<level>`, unique on its task. */
  readonly reminderId: string;
  readonly kind: 'reminder' | 'escalation';
  readonly level: string;
  /** 提醒, 到期提醒, 催办, 督办, 通报. */
  readonly label: string;
  /** Null only while the task's assignment is not yet projected. */
  readonly title: string | null;
  readonly leadUnitId: string | null;
  readonly deadline: string;
  readonly dueAt: string;
  /** When the reminder was recorded (business time). */
  readonly recordedAt: string;
  /** When this account first read it; null while unread. */
  readonly readAt: string | null;
  /** The reminder's position in the store: the order of the inbox, and its paging cursor (`before`). */
  readonly position: string;
}

export interface InboxListOptions {
  readonly unreadOnly?: boolean;
  readonly limit: number;
  /** Only messages older than this position (the `position` of the last message of the previous page). */
  readonly before?: string;
}

export interface InboxPage {
  /** Newest first. */
  readonly items: InboxMessage[];
  /** All of the account's unread messages, not only those of this page. */
  readonly unreadCount: number;
  /** The older messages are `before=<next>` (the last message's position); null when there are none. */
  readonly next: string | null;
}

const MESSAGE_COLUMNS = `
  m.task_id AS "taskId", m.reminder_id AS "reminderId", m.kind, m.level, m.label, t.title,
  t.lead_unit_id AS "leadUnitId", to_char(m.deadline, 'YYYY-MM-DD') AS deadline, m.due_at AS "dueAt",
  m.recorded_at AS "recordedAt", m.read_at AS "readAt",
  m.position::text AS position
  FROM read_models.inbox_messages m LEFT JOIN read_models.inbox_task_titles t ON t.task_id = m.task_id`;

/** One account's inbox, from the `inbox` read model (views in `read_models`). */
export class InboxQueries {
  constructor(private readonly sql: ProjectionSql) {}

  async list(userId: string, options: InboxListOptions): Promise<InboxPage> {
    const params = new SqlParams();
    const clauses = [`m.user_id = ${params.add(userId)}::uuid`];
    if (options.unreadOnly) clauses.push('m.read_at IS NULL');
    if (options.before !== undefined) clauses.push(`m.position < ${params.add(options.before)}::bigint`);
    const [rows, unread] = await Promise.all([
      this.sql.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} WHERE ${clauses.join(' AND ')} ORDER BY ` +
          `m.position DESC LIMIT ${params.add(options.limit + 1)}`,
        params.values,
      ),
      // Kept as the messages come and are read: not counted one by one (but while a read model built before the
      // count serves).
      untilUpgraded(
        () =>
          this.sql.query<{ n: number }>(
            'SELECT coalesce((SELECT n FROM read_models.inbox_unread WHERE user_id = $1::uuid), 0)::int AS n',
            [userId],
          ),
        () =>
          this.sql.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM read_models.inbox_messages WHERE user_id = $1::uuid AND read_at IS NULL',
            [userId],
          ),
      ),
    ]);
    // One row more than the page: whether older messages follow.
    const items = rows.rows.slice(0, options.limit).map(messageOf);
    const next = rows.rows.length > options.limit ? items[items.length - 1]!.position : null;
    return { items, unreadCount: unread.rows[0].n, next };
  }

  /** The message if it is in this account's inbox, else null. */
  async find(userId: string, taskId: string, reminderId: string): Promise<InboxMessage | null> {
    const { rows } = await this.sql.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} WHERE m.user_id = $1::uuid AND m.task_id = $2::uuid AND m.reminder_id = $3`,
      [userId, taskId, reminderId],
    );
    return rows.length > 0 ? messageOf(rows[0]) : null;
  }
}

type Instant = Date | string;
type MessageRow = Omit<InboxMessage, 'dueAt' | 'recordedAt' | 'readAt'> & {
  dueAt: Instant;
  recordedAt: Instant;
  readAt: Instant | null;
};

const iso = (instant: Instant) => new Date(instant).toISOString();

const messageOf = (row: MessageRow): InboxMessage => ({
  ...row,
  dueAt: iso(row.dueAt),
  recordedAt: iso(row.recordedAt),
  readAt: row.readAt === null ? null : iso(row.readAt),
});
