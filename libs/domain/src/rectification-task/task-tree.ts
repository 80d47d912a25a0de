import { AssignedRectificationTask } from './rectification-task.state';
import { SubtaskStatuses } from './rectification-task.commands';
import { TITLE_MAX_LENGTH } from '../shared/field-validation';

/** The most sub-tasks one break-down names (a county has a few dozen towns at most). */
export const MAX_SUBTASKS_PER_BREAKDOWN = 50;

/** A quantity as the domain keeps it: 4 decimal places, so that sums of shares do not drift. */
export function roundQuantity(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** The shares of the task's target its sub-tasks hold: every sub-task's but a cancelled one's. */
export function sharesHeld(task: AssignedRectificationTask, statuses: SubtaskStatuses): number {
  return roundQuantity(
    task.subtasks
      .filter((subtask) => statuses[subtask.taskId] !== 'cancelled')
      .reduce((sum, subtask) => sum + (subtask.target?.quantity ?? 0), 0),
  );
}

/** Sub-tasks that are neither closed nor cancelled (one whose status is not known counts as open). */
export function openSubtaskIds(task: AssignedRectificationTask, statuses: SubtaskStatuses): string[] {
  return task.subtasks
    .filter((subtask) => statuses[subtask.taskId] !== 'closed' && statuses[subtask.taskId] !== 'cancelled')
    .map((subtask) => subtask.taskId);
}

/**
 * Whether a unit of the region at `unitRegionPath` may be given a sub-task by a unit of `breakingRegionId`: its
 * region lies strictly below (a town under its county, a village under its town), so that a tree is never deeper
 * than the region tree. The breaking task's cooperating units are the one exception (checked by the caller).
 */
export function liesStrictlyBelow(unitRegionPath: readonly string[], breakingRegionId: string): boolean {
  return unitRegionPath.includes(breakingRegionId) && unitRegionPath[unitRegionPath.length - 1] !== breakingRegionId;
}

/**
 * Where a sub-task's work is: its unit's region when that lies within the parent's place (the village of a village
 * committee), else the parent's place (a county bureau helping in a village). A sub-task's place thus always lies
 * within its parent's, so whoever covers a task's region covers its whole tree.
 */
export function subtaskPlace(unitRegionPath: readonly string[], parentRegionId: string): string {
  return unitRegionPath.includes(parentRegionId) ? unitRegionPath[unitRegionPath.length - 1] : parentRegionId;
}

/**
 * The title of a sub-task its break-down leaves untitled: the parent's, followed by the unit's name in full-width
 * brackets (蔡郢村危房改造（蔡郢村民委员会）), so that the tasks of a tree are told apart by their titles alone. A
 * parent's title too long for both is cut short (…) to keep the unit's name within the longest title allowed.
 */
export function defaultSubtaskTitle(parentTitle: string, unitName: string): string {
  const suffix = `（${unitName}）`;
  if (parentTitle.length + suffix.length <= TITLE_MAX_LENGTH) return `${parentTitle}${suffix}`;
  return `${parentTitle.slice(0, Math.max(0, TITLE_MAX_LENGTH - suffix.length - 1))}…${suffix}`.slice(
    0,
    TITLE_MAX_LENGTH,
  );
}
