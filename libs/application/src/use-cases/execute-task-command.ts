import { NotFoundError, RectificationTaskCommand, rectificationTaskDecider, TaskStatus, taskStreamName } from '@zhenggai/domain';
import { decideAndAppend } from '../command-handling/decide-and-append';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export type TaskLifecycleCommand = Exclude<RectificationTaskCommand, { type: 'AssignRectificationTask' }>;

export interface TaskCommandResult extends UseCaseResult {
  readonly status: TaskStatus;
  /** False when the command changed nothing (a resend). */
  readonly changed: boolean;
}

/** One lifecycle command on an existing task: accept, plan, progress, extensions, submit, verify, … */
export async function executeTaskCommand(
  deps: Pick<UseCaseDeps, 'store' | 'cache'>,
  taskId: string,
  command: TaskLifecycleCommand,
  expectedRevision?: number,
): Promise<TaskCommandResult> {
  const { revision, state, events } = await decideAndAppend(deps.store, rectificationTaskDecider, taskStreamName(taskId), command, {
    expectedRevision,
    cache: deps.cache,
    precondition: (loaded) => {
      if (loaded.status === 'none') throw new NotFoundError('RectificationTask', taskId);
    },
  });
  if (state.status === 'none') throw new NotFoundError('RectificationTask', taskId);
  return { id: taskId, revision, status: state.status, changed: events.length > 0 };
}
