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
} from '@zhenggai/application';
import { ReadModelsService } from '../views';
import { HistoryEntry, historyOf } from './event-history';
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
  readonly revision: number;
  readonly statusLabel: string;
  readonly dueAt: string;
  readonly overdue: boolean;
};

const MIN_REVISION_WAIT_MS = 1000;

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
    return this.view(taskId, state, revision);
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

  async history(taskId: string, actor: Actor): Promise<HistoryEntry[]> {
    await this.task(taskId, actor);
    return historyOf(await this.store.readStream(taskStreamName(taskId)));
  }

  visibleTo(state: Exclude<RectificationTaskState, { status: 'none' }>, actor: Actor): Promise<boolean> {
    return maySeeTask(this.directory, actor, state);
  }

  view(taskId: string, state: Exclude<RectificationTaskState, { status: 'none' }>, revision: number): TaskView {
    const open = state.status !== 'closed' && state.status !== 'cancelled';
    // The first assignment and the last progress report serve the decider (resends), not the page.
    const { assignment: _assignment, lastProgress: _lastProgress, ...shown } = state;
    return {
      ...shown,
      id: taskId,
      revision,
      statusLabel: TASK_STATUS_LABELS[state.status],
      dueAt: dueInstant(state.deadline).toISOString(),
      overdue: open && isPastDeadline(state.deadline, this.clock.now()),
    };
  }
}
