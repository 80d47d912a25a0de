import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  Clock,
  DIRECTORY,
  Directory,
  EVENT_STORE,
  EventStore,
  loadStream,
  maySeeTask,
  TaskReach,
  taskReachDeps,
  unitReachesInTree,
} from '@zhenggai/application';
import { TaskTreeNode } from '@zhenggai/read-models';
import { ReadModelsService } from '../views';
import { historyOf } from './event-history';
import { HistoryNames, NamedHistoryEntry } from './history-names';
import {
  Actor,
  dueInstant,
  isPastDeadline,
  NotFoundError,
  RectificationTaskState,
  rectificationTaskDecider,
  TASK_STATUS_LABELS,
  taskStreamName,
} from '@zhenggai/domain';

export type TaskView = Omit<Exclude<RectificationTaskState, { status: 'none' }>, 'assignment' | 'lastProgress'> & {
  readonly id: string;
  /**
   * `quantityDone` is the work done against the target, rolled up: the unit's own reported work plus what its
   * sub-tasks have had verified (逐级分解); `ownQuantityDone` is the unit's own, the figure progress reports and
   * submissions carry. The two differ only for a task broken down.
   */
  readonly ownQuantityDone: number | null;
  readonly revision: number;
  readonly statusLabel: string;
  readonly dueAt: string;
  readonly overdue: boolean;
};

/** A task's tree: each node in full, or (`partial`) only what a unit answers to above its own tasks. */
export interface TaskTree {
  readonly asOf: string;
  readonly rootTaskId: string;
  readonly nodes: Array<
    | (TaskTreeNode & { readonly partial: false })
    | (Pick<TaskTreeNode, 'id' | 'title' | 'deadline' | 'status' | 'depth' | 'parentTaskId'> & {
        readonly partial: true;
      })
  >;
}

// How long a read waits for the projection to show the caller's own write: a busy 2-core server lags a second or two.
const MIN_REVISION_WAIT_MS = 3000;

/**
 * One task, for its page: from the tasks read model, or folded from its stream when the model lags.
 * A task outside the actor's reach (another region, or for a unit user another unit's task) answers 404, so
 * existence does not leak.
 */
@Injectable()
export class TaskReadService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DIRECTORY) private readonly directory: Directory,
    private readonly readModels: ReadModelsService,
    private readonly names: HistoryNames,
  ) {}

  /**
   * From the read model; with `minRevision`, waits a moment for the projection to reach the caller's own
   * write and otherwise folds the task's stream, so a client never sees an older state than its command
   * answered. A task the projection has not seen yet is folded from its stream too.
   */
  async task(taskId: string, actor: Actor, minRevision?: number): Promise<TaskView> {
    let projected = (await this.readModels.tasks.taskState(taskId)) as {
      state: RectificationTaskState;
      revision: number;
    } | null;
    // Whether the caller may see the task is settled before any wait: a task out of reach answers as fast as one
    // that does not exist, so the time taken tells nothing.
    if (projected && (projected.state.status === 'none' || !(await this.visibleTo(projected.state, actor))))
      throw new NotFoundError('RectificationTask', taskId);
    if (projected && minRevision !== undefined && projected.revision < minRevision)
      projected = await this.projectedAtLeast(taskId, minRevision);
    const { state, revision } =
      projected ?? (await loadStream(this.store, rectificationTaskDecider, taskStreamName(taskId)));
    if (state.status === 'none' || !(await this.visibleTo(state, actor)))
      throw new NotFoundError('RectificationTask', taskId);
    const view = this.view(taskId, state, revision);
    if (!state.subtasks?.length) return view;
    const below = await this.readModels.tasks.verifiedBelow(taskId, this.clock.now());
    return below === null ? view : { ...view, quantityDone: (state.quantityDone ?? 0) + below };
  }

  /**
   * The tree the task belongs to (逐级分解), from its top-level task down, as it stood at `asOf` (default now), within
   * the actor's reach: the task itself answers 404 as `task` does. A unit user sees its unit's tasks and everything
   * below them in full, and of the chain above them only what they answer to (id, title, deadline, status, marked
   * `partial`), nothing of their siblings; an inspector or a leader every task placed within their region. With
   * `minRevision` (now only), it waits as `task` does for the projection to show the caller's own write.
   */
  async tree(taskId: string, actor: Actor, asOf?: string, minRevision?: number): Promise<TaskTree> {
    const task = await this.task(taskId, actor, asOf === undefined ? minRevision : undefined);
    const at = this.readModels.instant(asOf);
    const rootTaskId = task.rootTaskId ?? taskId;
    const nodes = await this.readModels.tasks.tree(rootTaskId, at, await this.readModels.warningDays());
    // Asked about an instant before the task was assigned: it had no tree then.
    if (asOf !== undefined && !nodes.some((node) => node.id === taskId))
      throw new NotFoundError('RectificationTask', taskId);
    return { asOf: at.toISOString(), rootTaskId, nodes: await this.treeWithinReach(nodes, actor) };
  }

  private async treeWithinReach(nodes: readonly TaskTreeNode[], actor: Actor): Promise<TaskTree['nodes']> {
    if (actor.role !== 'unit') {
      const seen = await Promise.all(nodes.map((node) => this.visibleTo(node, actor)));
      return nodes.filter((_, i) => seen[i]).map((node) => ({ ...node, partial: false }));
    }
    const byId = new Map(nodes.map((node) => [node.id, node]));
    // Parents come before their sub-tasks (by depth), so a parent's place is settled first.
    const full = unitReachesInTree(actor, nodes);
    const above = new Set<string>();
    for (const id of full) {
      for (let up = byId.get(id)!.parentTaskId; up !== null && !full.has(up) && !above.has(up);) {
        above.add(up);
        up = byId.get(up)?.parentTaskId ?? null;
      }
    }
    return nodes.flatMap((node): TaskTree['nodes'] => {
      if (full.has(node.id)) return [{ ...node, partial: false }];
      if (!above.has(node.id)) return [];
      const { id, title, deadline, status, depth, parentTaskId } = node;
      return [{ id, title, deadline, status, depth, parentTaskId, partial: true }];
    });
  }

  /** The projected task once it reaches `minRevision`, waiting a moment for the projection; null when it does not. */
  private async projectedAtLeast(taskId: string, minRevision: number) {
    const deadline = Date.now() + MIN_REVISION_WAIT_MS;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const found = await this.readModels.tasks.taskState(taskId);
      if (found && found.revision >= minRevision) return found as { state: RectificationTaskState; revision: number };
      if (!found || Date.now() > deadline) return null;
    }
  }

  /** The task's events, each with the name of the person and unit behind it. */
  async history(taskId: string, actor: Actor): Promise<NamedHistoryEntry[]> {
    await this.task(taskId, actor);
    return this.names.named(historyOf(await this.store.readStream(taskStreamName(taskId))));
  }

  /** Rule 5 of 逐级分解: `maySeeTask`, the tasks above a sub-task read from their streams. */
  visibleTo(task: TaskReach, actor: Actor): Promise<boolean> {
    return maySeeTask(taskReachDeps({ store: this.store, directory: this.directory }), actor, task);
  }

  view(taskId: string, state: Exclude<RectificationTaskState, { status: 'none' }>, revision: number): TaskView {
    const open = state.status !== 'closed' && state.status !== 'cancelled';
    // The first assignment and the last progress report serve the decider (resends), not the page.
    const { assignment: _assignment, lastProgress: _lastProgress, ...shown } = state;
    return {
      ...shown,
      id: taskId,
      ownQuantityDone: state.quantityDone,
      revision,
      statusLabel: TASK_STATUS_LABELS[state.status],
      dueAt: dueInstant(state.deadline).toISOString(),
      overdue: open && isPastDeadline(state.deadline, this.clock.now()),
    };
  }
}
