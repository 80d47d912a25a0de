import { ProjectionSql } from '@zhenggai/application';
import {
  AssignedRectificationTask,
  latestDeadlineDueBy,
  LocalDate,
  ReminderPolicy,
  TaskReminderFacts,
} from '@zhenggai/domain';
import { untilUpgraded } from './until-upgraded';

/** An open task (not closed, not cancelled) and what its reminders are worked out from. */
export interface OpenTaskReminders {
  readonly taskId: string;
  readonly facts: TaskReminderFacts;
}

const OPEN = `NOT IN ('closed', 'cancelled')`;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Every open task's reminder facts, a page at a time in the order of their ids: what the reminders' reconciliation
 * compares with the queue. It reads a few hundred bytes of each task (`task_reminder_facts`, from version 18 of the
 * tasks projection) and each ladder once, by its id, where the whole state with its ladder joined in is ~2 KB (at
 * 100,000 open tasks 0.2 s of the database against 2.2 s). After an upgrade from an earlier version, the generation
 * before serves until the new one is built, and it has no such view: the whole states are read then, more slowly.
 *
 * With `dueBy`, only the open tasks that may owe a level by then: the ladders are read first, and a task due later
 * than any of their levels reaches by `dueBy` (`latestDeadlineDueBy`) is not read. Most open tasks are due weeks
 * away. A ladder defined while the pages are read is left to the next reading.
 */
export async function* openTaskReminders(
  sql: ProjectionSql,
  options: { readonly pageSize?: number; readonly dueBy?: Date } = {},
): AsyncGenerator<OpenTaskReminders[]> {
  const pageSize = options.pageSize ?? 1000;
  const ladders = new Map<string, ReminderPolicy>();
  // Open tasks due later than this owe no level by `options.dueBy` (null: every open task is read).
  let latestDeadline: LocalDate | null = null;
  if (options.dueBy) {
    const known = await untilUpgraded(
      () => readLadders(sql),
      async () => null,
    );
    if (known) {
      for (const [id, policy] of known) ladders.set(id, policy);
      latestDeadline = latestDeadlineDueBy(ladders.values(), options.dueBy);
      // No ladder has a level: no task owes one.
      if (latestDeadline === null) return;
    }
  }
  for (let after = FIRST_ID; ;) {
    const page = await untilUpgraded(
      () => factsPage(sql, after, pageSize, latestDeadline, ladders),
      () => statesPage(sql, after, pageSize, latestDeadline),
    );
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.taskId;
  }
}

async function readLadders(sql: ProjectionSql): Promise<Map<string, ReminderPolicy>> {
  const { rows } = await sql.query<{ ladder_id: string; policy: ReminderPolicy }>(
    'SELECT ladder_id, policy FROM read_models.task_ladders',
  );
  return new Map(rows.map((r) => [r.ladder_id, r.policy]));
}

interface FactsRow {
  task_id: string;
  ladder_id: string | null;
  status: AssignedRectificationTask['status'];
  deadline: string;
  deadline_version: number;
  reminders: AssignedRectificationTask['reminders'];
}

async function factsPage(
  sql: ProjectionSql,
  after: string,
  size: number,
  latestDeadline: LocalDate | null,
  ladders: Map<string, ReminderPolicy>,
): Promise<OpenTaskReminders[]> {
  const { rows } = await sql.query<FactsRow>(
    `SELECT task_id, ladder_id, status, deadline, deadline_version, reminders FROM read_models.task_reminder_facts
      WHERE task_id > $1 AND status ${OPEN} AND ($3::text IS NULL OR deadline <= $3) ORDER BY task_id LIMIT $2`,
    [after, size, latestDeadline],
  );
  const unknown = [...new Set(rows.flatMap((r) => (r.ladder_id && !ladders.has(r.ladder_id) ? [r.ladder_id] : [])))];
  if (unknown.length > 0) {
    const found = await sql.query<{ ladder_id: string; policy: ReminderPolicy }>(
      'SELECT ladder_id, policy FROM read_models.task_ladders WHERE ladder_id = ANY($1::text[])',
      [unknown],
    );
    for (const { ladder_id, policy } of found.rows) ladders.set(ladder_id, policy);
  }
  return rows.map((r) => ({
    taskId: r.task_id,
    facts: {
      status: r.status,
      deadline: r.deadline,
      deadlineVersion: r.deadline_version,
      reminders: r.reminders,
      // A task assigned without a ladder owes no level.
      reminderPolicy: (r.ladder_id && ladders.get(r.ladder_id)) || NO_LADDER,
    },
  }));
}

const NO_LADDER: ReminderPolicy = Object.freeze({ id: 'none', version: 0, name: '', levels: [] });

async function statesPage(
  sql: ProjectionSql,
  after: string,
  size: number,
  latestDeadline: LocalDate | null,
): Promise<OpenTaskReminders[]> {
  const { rows } = await sql.query<{ task_id: string; state: AssignedRectificationTask }>(
    `SELECT task_id, state FROM read_models.task_states
      WHERE task_id > $1 AND state->>'status' ${OPEN} AND ($3::text IS NULL OR state->>'deadline' <= $3)
      ORDER BY task_id LIMIT $2`,
    [after, size, latestDeadline],
  );
  return rows.map((r) => ({ taskId: r.task_id, facts: r.state }));
}
