import { NotFoundError, RectificationTaskCommand, rectificationTaskDecider, TaskStatus, taskStreamName } from '@zhenggai/domain';
import { decideAndAppend } from '../command-handling/decide-and-append';
import { maySeeTask } from '../jurisdiction/jurisdiction';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export type TaskLifecycleCommand = Exclude<RectificationTaskCommand, { type: 'AssignRectificationTask' }>;

export interface TaskCommandResult extends UseCaseResult {
  readonly status: TaskStatus;
  /** False when the command changed nothing (a resend). */
  readonly changed: boolean;
}

/**
 * One lifecycle command on an existing task: accept, plan, progress, extensions, submit, verify, … A task
 * outside the actor's reach answers as if it did not exist.
 */
export async function executeTaskCommand(
  deps: Pick<UseCaseDeps, 'store' | 'cache' | 'directory'>,
  taskId: string,
  command: TaskLifecycleCommand,
  expectedRevision?: number,
): Promise<TaskCommandResult> {
  const { revision, state, events } = await decideAndAppend(deps.store, rectificationTaskDecider, taskStreamName(taskId), command, {
    expectedRevision,
    cache: deps.cache,
    precondition: async (loaded) => {
      if (loaded.status === 'none' || !(await maySeeTask(deps.directory, command.metadata.actor, loaded))) throw new NotFoundError('RectificationTask', taskId);
    },
  });
  if (state.status === 'none') throw new NotFoundError('RectificationTask', taskId);
  return { id: taskId, revision, status: state.status, changed: events.length > 0 };
}
