import {
  NotFoundError,
  RectificationTaskCommand,
  rectificationTaskDecider,
  RectificationTaskState,
  TaskStatus,
  taskStreamName,
} from '@zhenggai/domain';
import { decideAndAppend } from '../command-handling/decide-and-append';
import { maySeeTask } from '../jurisdiction/jurisdiction';
import { References } from '../references/references';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export type TaskLifecycleCommand = Exclude<RectificationTaskCommand, { type: 'AssignRectificationTask' }>;

export interface TaskCommandResult extends UseCaseResult {
  readonly status: TaskStatus;
  /** False when the command changed nothing (a resend). */
  readonly changed: boolean;
  /** True when an earlier attempt of the same command (its `commandId`) had done it: this is its outcome. */
  readonly earlierAttempt: boolean;
}

/**
 * One lifecycle command on an existing task: accept, plan, progress, extensions, submit, verify, … A task
 * outside the actor's reach answers as if it did not exist.
 */
export async function executeTaskCommand(
  deps: Pick<UseCaseDeps, 'store' | 'cache' | 'directory' | 'evidence'>,
  taskId: string,
  command: TaskLifecycleCommand,
  expectedRevision?: number,
): Promise<TaskCommandResult> {
  const { revision, state, events, earlierAttempt } = await decideAndAppend(
    deps.store,
    rectificationTaskDecider,
    taskStreamName(taskId),
    command,
    {
      expectedRevision,
      cache: deps.cache,
      precondition: async (loaded) => {
        if (loaded.status === 'none' || !(await maySeeTask(deps.directory, command.metadata.actor, loaded)))
          throw new NotFoundError('RectificationTask', taskId);
      },
      beforeAppend: (loaded) => checkReferences(new References(deps), command, loaded),
    },
  );
  if (state.status === 'none') throw new NotFoundError('RectificationTask', taskId);
  return { id: taskId, revision, status: state.status, changed: events.length > 0, earlierAttempt };
}

/** What a lifecycle command names besides its task: the units it hands the task to, the evidence it cites. */
async function checkReferences(
  references: References,
  command: TaskLifecycleCommand,
  task: RectificationTaskState,
): Promise<void> {
  const { actor } = command.metadata;
  switch (command.type) {
    case 'ReassignRectificationTask':
      if (task.status !== 'none')
        await references.taskUnits(actor, task.regionId, command.data.leadUnitId, command.data.cooperatingUnitIds);
      return;
    case 'ReportRectificationProgress':
    case 'SubmitRectification':
      return references.evidence(actor, command.data.evidence, 'evidence');
    case 'AcceptRectificationTask':
    case 'RecordRectificationPlan':
    case 'RequestDeadlineExtension':
    case 'ApproveDeadlineExtension':
    case 'RefuseDeadlineExtension':
    case 'VerifyRectification':
    case 'SendBackRectification':
    case 'CancelRectificationTask':
    case 'ReopenRectificationTask':
    case 'RecordTaskReminder':
    case 'MarkTaskReminderRead':
      return;
    default: {
      const unknown: never = command;
      throw new Error(`no reference check for ${(unknown as { type: string }).type}`);
    }
  }
}
