import { levelDueTime, ReminderLevel } from '../reminders/reminder-policy';
import { AssignedRectificationTask } from './rectification-task.state';

/**
 * What a task's reminders are worked out from: its status, the deadline in force and its version, the ladder pinned
 * on it and the levels recorded. A task's state is such facts; a reader that owes reminders to many tasks (the
 * reconciliation) reads only these.
 */
export type TaskReminderFacts =
  | { readonly status: 'none' }
  | Pick<AssignedRectificationTask, 'status' | 'deadline' | 'deadlineVersion' | 'reminderPolicy' | 'reminders'>;

/** A ladder level the task is owed and has not had: its id, and when it falls due. */
export interface OwedReminder {
  readonly reminderId: string;
  readonly deadlineVersion: number;
  readonly level: ReminderLevel;
  readonly dueAt: string;
}

/**
 * The ladder levels still owed for the deadline in force, earliest first: none once the task is closed or
 * cancelled, and none that was already recorded for this deadline. Whether one is due yet is the caller's
 * question (it knows the time).
 */
export function owedReminders(state: TaskReminderFacts): OwedReminder[] {
  return owedInOrder(state).map((o) => o.owed);
}

/** `owedReminders`, each with when it falls due in milliseconds (read once, as the scheduler asks per task). */
function owedInOrder(state: TaskReminderFacts): Array<{ readonly owed: OwedReminder; readonly dueMs: number }> {
  if (state.status === 'none' || state.status === 'closed' || state.status === 'cancelled') return [];
  const owed: Array<{ readonly owed: OwedReminder; readonly dueMs: number }> = [];
  for (const level of state.reminderPolicy.levels) {
    const reminderId = reminderIdOf(state.deadlineVersion, level.level);
    if (state.reminders.some((r) => r.reminderId === reminderId)) continue;
    const due = levelDueTime(state.deadline, level);
    owed.push({ owed: { reminderId, deadlineVersion: state.deadlineVersion, level, dueAt: due.at }, dueMs: due.ms });
  }
  // Earliest first; levels due at the same instant keep the ladder's order (the sort is stable).
  return owed.sort((a, b) => a.dueMs - b.dueMs);
}

/**
 * What to schedule at `now`: every owed level still to come, and of those already due only the latest (a
 * worker that was down, or a deadline set close to now, must not send 提醒, 到期提醒 and 催办 in one burst).
 * A level earlier than one already recorded is overtaken too.
 */
export function remindersToSchedule(state: TaskReminderFacts, now: string): OwedReminder[] {
  if (state.status === 'none') return [];
  const nowMs = Date.parse(now);
  const owed = owedInOrder(state);
  let overtakenBefore = -Infinity;
  for (const r of state.reminders) {
    if (r.deadlineVersion !== state.deadlineVersion) continue;
    const level = state.reminderPolicy.levels.find((l) => l.level === r.level);
    if (level !== undefined) overtakenBefore = Math.max(overtakenBefore, levelDueTime(state.deadline, level).ms);
  }
  const due = owed.filter((r) => r.dueMs <= nowMs && r.dueMs > overtakenBefore);
  return [...due.slice(-1), ...owed.filter((r) => r.dueMs > nowMs)].map((r) => r.owed);
}

export function reminderIdOf(deadlineVersion: number, level: string): string {
  return `${deadlineVersion}:${level}`;
}
