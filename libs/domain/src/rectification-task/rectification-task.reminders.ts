import { levelDueAt, ReminderLevel } from '../reminders/reminder-policy';
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
  if (state.status === 'none' || state.status === 'closed' || state.status === 'cancelled') return [];
  const recorded = new Set(state.reminders.map((r) => r.reminderId));
  return state.reminderPolicy.levels
    .map((level) => ({
      reminderId: reminderIdOf(state.deadlineVersion, level.level),
      deadlineVersion: state.deadlineVersion,
      level,
      dueAt: levelDueAt(state.deadline, level),
    }))
    .filter((r) => !recorded.has(r.reminderId))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/**
 * What to schedule at `now`: every owed level still to come, and of those already due only the latest (a
 * worker that was down, or a deadline set close to now, must not send 提醒, 到期提醒 and 催办 in one burst).
 * A level earlier than one already recorded is overtaken too.
 */
export function remindersToSchedule(state: TaskReminderFacts, now: string): OwedReminder[] {
  if (state.status === 'none') return [];
  const nowMs = Date.parse(now);
  const owed = owedReminders(state);
  const recordedDue = state.reminders
    .filter((r) => r.deadlineVersion === state.deadlineVersion)
    .map((r) => state.reminderPolicy.levels.find((l) => l.level === r.level))
    .filter((l): l is ReminderLevel => l !== undefined)
    .map((l) => Date.parse(levelDueAt(state.deadline, l)));
  const overtakenBefore = Math.max(-Infinity, ...recordedDue);
  const due = owed.filter((r) => Date.parse(r.dueAt) <= nowMs && Date.parse(r.dueAt) > overtakenBefore);
  return [...due.slice(-1), ...owed.filter((r) => Date.parse(r.dueAt) > nowMs)];
}

export function reminderIdOf(deadlineVersion: number, level: string): string {
  return `${deadlineVersion}:${level}`;
}
