import {
  AssignedRectificationTask,
  LocalDate,
  rectificationTaskDecider,
  SubtaskStatuses,
  taskStreamName,
} from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { EventStore } from '../event-store/event-store.port';

/**
 * What a task's stream cannot know of the other streams of its tree, read just before a command on it is decided:
 * the statuses of its sub-tasks, its parent's deadline. They are read whatever the actor's reach (the rules need
 * them; the refusals they lead to name no more than the sub-tasks' ids and the parent's deadline). Read only for a
 * task in a tree, so that a lone task costs no read.
 */
export async function subtaskStatusesOf(
  store: EventStore,
  task: Pick<AssignedRectificationTask, 'subtasks'>,
): Promise<SubtaskStatuses> {
  const statuses: Record<string, AssignedRectificationTask['status']> = {};
  for (const { taskId } of task.subtasks) {
    const { state } = await loadStream(store, rectificationTaskDecider, taskStreamName(taskId));
    // A sub-task its parent recorded but whose own stream is not there (yet) is left out: it counts as open.
    if (state.status !== 'none') statuses[taskId] = state.status;
  }
  return statuses;
}

/** A sub-task's parent's status and deadline in force; null for a top-level task (or a parent that cannot be read). */
export async function parentOf(
  store: EventStore,
  task: Pick<AssignedRectificationTask, 'parentTaskId'>,
): Promise<Pick<AssignedRectificationTask, 'status' | 'deadline'> | null> {
  if (task.parentTaskId === null) return null;
  const { state } = await loadStream(store, rectificationTaskDecider, taskStreamName(task.parentTaskId));
  return state.status === 'none' ? null : state;
}

/** A sub-task's parent's deadline in force; null for a top-level task (or a parent that cannot be read). */
export async function parentDeadlineOf(
  store: EventStore,
  task: Pick<AssignedRectificationTask, 'parentTaskId'>,
): Promise<LocalDate | null> {
  return (await parentOf(store, task))?.deadline ?? null;
}
