import {
  NotFoundError,
  RectificationTaskCommand,
  rectificationTaskDecider,
  RectificationTaskState,
  TaskStatus,
  taskStreamName,
} from '@zhenggai/domain';
import { decideAndAppend, loadChecked } from '../command-handling/decide-and-append';
import { maySeeTask } from '../jurisdiction/jurisdiction';
import { taskReachDeps } from '../jurisdiction/stream-reach';
import { References } from '../references/references';
import { parentDeadlineOf, parentOf, subtaskStatusesOf } from '../task-tree/task-tree-facts';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

/** The facts of the task's tree the use case loads and hands to the decider with the command. */
type TreeFact = 'subtaskStatuses' | 'parentDeadline' | 'parentStatus';

type LifecycleDomainCommand = Exclude<
  RectificationTaskCommand,
  { type: 'AssignRectificationTask' | 'BreakDownRectificationTask' }
>;

/** One lifecycle command as a caller sends it: without the facts of the tree, which this use case adds. */
export type TaskLifecycleCommand = {
  [T in LifecycleDomainCommand['type']]: Omit<Extract<LifecycleDomainCommand, { type: T }>, 'data'> & {
    readonly data: Readonly<Omit<Extract<LifecycleDomainCommand, { type: T }>['data'], TreeFact>>;
  };
}[LifecycleDomainCommand['type']];

export interface TaskCommandResult extends UseCaseResult {
  readonly status: TaskStatus;
  /** False when the command changed nothing (a resend). */
  readonly changed: boolean;
  /** True when an earlier attempt of the same command (its `commandId`) had done it: this is its outcome. */
  readonly earlierAttempt: boolean;
}

/**
 * One lifecycle command on an existing task: accept, plan, progress, extensions, submit, verify, … A task
 * outside the actor's reach answers as if it did not exist. For a task in a tree (逐级分解), the statuses of its
 * sub-tasks and its parent's deadline are read first and handed to the decider.
 */
export async function executeTaskCommand(
  deps: Pick<UseCaseDeps, 'store' | 'cache' | 'directory' | 'evidence'>,
  taskId: string,
  command: TaskLifecycleCommand,
  expectedRevision?: number,
): Promise<TaskCommandResult> {
  const stream = taskStreamName(taskId);
  const { actor } = command.metadata;
  const withinReach = async (loaded: RectificationTaskState) => {
    if (loaded.status === 'none' || !(await maySeeTask(taskReachDeps(deps), actor, loaded)))
      throw new NotFoundError('RectificationTask', taskId);
  };
  const task = await loadChecked(deps, rectificationTaskDecider, stream, ({ state }) => withinReach(state));
  const { revision, state, events, earlierAttempt } = await decideAndAppend(
    deps.store,
    rectificationTaskDecider,
    stream,
    await withTreeFacts(deps, command, task.state),
    {
      expectedRevision,
      cache: deps.cache,
      // A command that may be a retry is decided on the stream as stored, with its events (see decideAndAppend).
      loaded: command.metadata.commandId ? undefined : task,
      precondition: withinReach,
      beforeAppend: (loaded) => checkReferences(new References(deps), command, loaded),
    },
  );
  if (state.status === 'none') throw new NotFoundError('RectificationTask', taskId);
  return { id: taskId, revision, status: state.status, changed: events.length > 0, earlierAttempt };
}

/** The command with the facts of the task's tree its decision needs (none are read for a task outside a tree). */
async function withTreeFacts(
  deps: Pick<UseCaseDeps, 'store'>,
  command: TaskLifecycleCommand,
  task: RectificationTaskState,
): Promise<LifecycleDomainCommand> {
  const inTree = task.status !== 'none';
  switch (command.type) {
    case 'ReportRectificationProgress':
    case 'SubmitRectification':
    case 'ReassignRectificationTask':
    case 'CancelRectificationTask': {
      const subtaskStatuses = inTree ? await subtaskStatusesOf(deps.store, task) : {};
      return { ...command, data: { ...command.data, subtaskStatuses } } as LifecycleDomainCommand;
    }
    case 'RequestDeadlineExtension':
    case 'ApproveDeadlineExtension': {
      const parentDeadline = inTree ? await parentDeadlineOf(deps.store, task) : null;
      return { ...command, data: { ...command.data, parentDeadline } } as LifecycleDomainCommand;
    }
    case 'ReopenRectificationTask': {
      const parent = inTree ? await parentOf(deps.store, task) : null;
      const parentFacts = { parentStatus: parent?.status ?? null, parentDeadline: parent?.deadline ?? null };
      return { ...command, data: { ...command.data, ...parentFacts } } as LifecycleDomainCommand;
    }
    default:
      return command;
  }
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
