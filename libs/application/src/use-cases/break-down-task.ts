import {
  Actor,
  AssignedRectificationTask,
  AssignRectificationTask,
  authorizeRole,
  BreakDownRectificationTask,
  CommandMetadata,
  DEFAULT_REMINDER_POLICY,
  NotFoundError,
  RectificationTaskEvent,
  rectificationTaskDecider,
  RectificationTaskState,
  SubtaskAssignment,
  taskStreamName,
} from '@zhenggai/domain';
import { decideAndAppend, earlierAttemptOn, loadChecked, newStream } from '../command-handling/decide-and-append';
import { loadStream } from '../command-handling/load-stream';
import { StoredEvent } from '../event-store/event-store.port';
import { newIdFor } from '../ids/command-id';
import { maySeeTask } from '../jurisdiction/jurisdiction';
import { taskReachDeps } from '../jurisdiction/stream-reach';
import { References } from '../references/references';
import { subtaskStatusesOf } from '../task-tree/task-tree-facts';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export interface BreakDownTaskInput {
  readonly taskId: string;
  readonly subtasks: ReadonlyArray<{
    readonly unitId: string;
    readonly deadline: string;
    readonly measures: string;
    /** Defaults to the parent's title followed by the unit's name (`defaultSubtaskTitle`). */
    readonly title: string | null;
    /** Its share of the parent's quantity target; null: none. */
    readonly share: number | null;
  }>;
  /** The parent's revision the caller last saw (`If-Match`). */
  readonly expectedRevision?: number;
}

export interface BreakDownTaskResult extends UseCaseResult {
  /** The new sub-tasks, in the order asked for, each with its stream's revision. */
  readonly subtasks: readonly UseCaseResult[];
}

/**
 * 分解: the parent records the break-down (every rule is judged there, against its state and the facts of the
 * directory and of its sub-tasks), then each sub-task's stream is assigned from what the parent recorded. Every check
 * runs before anything is written, so a refusal stores nothing; the parent's append is the one that can lose a race,
 * so two break-downs at once never share out more than the target.
 *
 * The sub-tasks' ids follow from the command's id when it has one: a retry after a crash between the appends finds
 * the parent's record of its earlier attempt and only completes the sub-tasks it names, answering as that attempt
 * would have.
 */
export async function breakDownTask(
  deps: UseCaseDeps,
  input: BreakDownTaskInput,
  metadata: CommandMetadata,
): Promise<BreakDownTaskResult> {
  // Who may never break down learns that before anything about the task (which might lie outside its reach).
  authorizeRole(metadata.actor, ['unit'], 'BreakDownRectificationTask');
  const stream = taskStreamName(input.taskId);
  const earlier = await earlierAttemptOn(deps.store, rectificationTaskDecider, stream, metadata);
  if (earlier) {
    return { id: input.taskId, revision: earlier.revision, subtasks: await assignSubtasks(deps, earlier, metadata) };
  }
  const withinReach = async (state: RectificationTaskState) => {
    if (state.status === 'none' || !(await maySeeTask(taskReachDeps(deps), metadata.actor, state)))
      throw new NotFoundError('RectificationTask', input.taskId);
  };
  const parent = await loadChecked(deps, rectificationTaskDecider, stream, ({ state }) => withinReach(state));
  if (parent.state.status === 'none') throw new NotFoundError('RectificationTask', input.taskId);
  const { unitRegionPaths, unitNames } = await new References(deps).subtaskUnits(
    metadata.actor,
    parent.state.leadUnitId,
    input.subtasks.map((subtask) => subtask.unitId),
  );
  const command: BreakDownRectificationTask = {
    type: 'BreakDownRectificationTask',
    data: {
      subtasks: input.subtasks.map((subtask, i) => ({
        ...subtask,
        taskId: newIdFor(deps.ids, metadata, `subtask-${i}`),
      })),
      unitRegionPaths,
      unitNames,
      subtaskStatuses: await subtaskStatusesOf(deps.store, parent.state),
    },
    metadata,
  };
  const reminderPolicy = (await deps.reminderPolicies?.inForce(parent.state.campaignId)) ?? DEFAULT_REMINDER_POLICY;
  const decided = await decideAndAppend(deps.store, rectificationTaskDecider, stream, command, {
    expectedRevision: input.expectedRevision,
    cache: deps.cache,
    loaded: metadata.commandId ? undefined : parent,
    precondition: withinReach,
    // The sub-tasks' own streams must take what the parent decides: found out before the parent records it.
    beforeAppend: (state, events) => {
      if (state.status === 'none') return;
      for (const event of events as RectificationTaskEvent[]) {
        for (const assign of assignments(state, event, reminderPolicy, metadata))
          rectificationTaskDecider.decide(assign, rectificationTaskDecider.initialState());
      }
    },
  });
  return { id: input.taskId, revision: decided.revision, subtasks: await assignSubtasks(deps, decided, metadata) };
}

/**
 * Makes sure every sub-task a recorded break-down names has its stream: the worker's reaction to
 * `RectificationTaskBrokenDown`, which heals a break-down that died between its appends with no Idempotency-Key to
 * retry it under. Each is assigned as the break-down's actor at its time (the decision was taken then), from the
 * parent as it stands; one assigned already is left as it is. Where the store tells which streams exist in one read
 * (`existingStreams`), those are passed over unread (the usual case: the break-down's own command assigned them, and a
 * catch-up over a store's history meets every one of them); elsewhere each assignment is resent and changes nothing.
 */
export async function completeBreakDown(
  deps: Pick<UseCaseDeps, 'store' | 'cache' | 'reminderPolicies'>,
  brokenDown: StoredEvent,
): Promise<UseCaseResult[]> {
  const subtasks = brokenDown.data.subtasks as readonly SubtaskAssignment[];
  const existing = (await deps.store.existingStreams?.(subtasks.map((s) => taskStreamName(s.taskId)))) ?? new Set();
  const missing = subtasks.filter((s) => !existing.has(taskStreamName(s.taskId)));
  // A sub-task's stream starts with its assignment: revision 0.
  if (missing.length === 0) return subtasks.map((s) => ({ id: s.taskId, revision: 0 }));
  const { state } = await loadStream(deps.store, rectificationTaskDecider, taskStreamName(brokenDown.data.taskId));
  const metadata: CommandMetadata = {
    actor: brokenDown.metadata.actor as Actor,
    now: brokenDown.metadata.occurredAt as string,
    correlationId: (brokenDown.metadata.correlationId as string) ?? brokenDown.id,
    causationId: brokenDown.id,
  };
  const data = { ...brokenDown.data, subtasks: missing };
  const added = new Map(
    (await assignSubtasks(deps, { state, events: [{ type: brokenDown.type, data }] }, metadata)).map((r) => [r.id, r]),
  );
  return subtasks.flatMap(({ taskId }) =>
    existing.has(taskStreamName(taskId)) ? [{ id: taskId, revision: 0 }] : (added.get(taskId) ?? []),
  );
}

/** Assigns each sub-task the parent's break-down (its events just appended, or an earlier attempt's) names. */
async function assignSubtasks(
  deps: Pick<UseCaseDeps, 'store' | 'cache' | 'reminderPolicies'>,
  decided: { readonly state: RectificationTaskState; readonly events: readonly { type: string; data: unknown }[] },
  metadata: CommandMetadata,
): Promise<UseCaseResult[]> {
  const parent = decided.state;
  if (parent.status === 'none') return [];
  const reminderPolicy = (await deps.reminderPolicies?.inForce(parent.campaignId)) ?? DEFAULT_REMINDER_POLICY;
  const results: UseCaseResult[] = [];
  for (const event of decided.events as readonly RectificationTaskEvent[]) {
    for (const assign of assignments(parent, event, reminderPolicy, metadata)) {
      const { revision } = await decideAndAppend(
        deps.store,
        rectificationTaskDecider,
        taskStreamName(assign.data.taskId),
        assign,
        { loaded: newStream(rectificationTaskDecider), cache: deps.cache },
      );
      results.push({ id: assign.data.taskId, revision });
    }
  }
  return results;
}

/** The assignment of each sub-task a `RectificationTaskBrokenDown` event records (none for any other event). */
function assignments(
  parent: AssignedRectificationTask,
  event: RectificationTaskEvent,
  reminderPolicy: AssignRectificationTask['data']['reminderPolicy'],
  metadata: CommandMetadata,
): AssignRectificationTask[] {
  if (event.type !== 'RectificationTaskBrokenDown') return [];
  return event.data.subtasks.map((subtask: SubtaskAssignment): AssignRectificationTask => ({
    type: 'AssignRectificationTask',
    data: {
      taskId: subtask.taskId,
      findingId: parent.findingId,
      title: subtask.title,
      regionId: subtask.regionId,
      category: parent.category,
      leadUnitId: subtask.leadUnitId,
      cooperatingUnitIds: [],
      deadline: subtask.deadline,
      measures: subtask.measures,
      target: subtask.target,
      campaign: null,
      reminderPolicy,
      parent: {
        taskId: parent.taskId,
        rootTaskId: parent.rootTaskId,
        depth: parent.depth,
        leadUnitId: parent.leadUnitId,
        deadline: parent.deadline,
        campaignId: parent.campaignId,
      },
    },
    metadata,
  }));
}
