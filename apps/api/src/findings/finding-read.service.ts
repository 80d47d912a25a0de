import { Inject, Injectable } from '@nestjs/common';
import {
  DIRECTORY,
  Directory,
  EVENT_STORE,
  EventStore,
  loadStream,
  visibleTaskIdsOfFinding,
} from '@zhenggai/application';
import {
  Actor,
  findingDecider,
  FindingState,
  findingStreamName,
  NotFoundError,
  rectificationTaskDecider,
  RectificationTaskState,
  taskStreamName,
} from '@zhenggai/domain';
import { ReadModelsService } from '../views';
import { HistoryNames, historyOf, TaskReadService, TaskView } from '../tasks';

export type FindingView = Exclude<FindingState, { status: 'none' }> & {
  readonly id: string;
  readonly revision: number;
  readonly tasks: TaskView[];
};

@Injectable()
export class FindingReadService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DIRECTORY) private readonly directory: Directory,
    private readonly tasks: TaskReadService,
    private readonly readModels: ReadModelsService,
    private readonly names: HistoryNames,
  ) {}

  /**
   * The finding (from its own short stream) with its tasks (from the tasks read model; a task the model has
   * not seen yet is folded from its stream). Outside the actor's region it answers 404; a unit user sees it
   * only when one of its tasks is its unit's, and of its tasks only those (their ids included: `taskIds`).
   */
  async finding(findingId: string, actor: Actor): Promise<FindingView> {
    const { state, revision } = await loadStream(this.store, findingDecider, findingStreamName(findingId));
    if (state.status === 'none') throw new NotFoundError('Finding', findingId);
    const loaded = new Map(
      (await this.readModels.tasks.tasksOfFinding(findingId)).map((t) => [
        t.state.taskId as string,
        t as { state: RectificationTaskState; revision: number },
      ]),
    );
    const taskOf = async (taskId: string) => {
      const task =
        loaded.get(taskId) ?? (await loadStream(this.store, rectificationTaskDecider, taskStreamName(taskId)));
      loaded.set(taskId, task);
      return task.state.status === 'none' ? null : task.state;
    };
    const visible = await visibleTaskIdsOfFinding(
      { store: this.store, directory: this.directory },
      actor,
      state,
      taskOf,
    );
    if (visible === null) throw new NotFoundError('Finding', findingId);
    const tasks: TaskView[] = [];
    for (const taskId of visible) {
      const task = await taskOf(taskId);
      if (task && (await this.tasks.visibleTo(task, actor)))
        tasks.push(this.tasks.view(taskId, task, loaded.get(taskId)!.revision));
    }
    return { ...state, taskIds: visible, id: findingId, revision, tasks };
  }

  /**
   * The finding's events as `finding` shows it: a unit user does not learn of the tasks of other units, so the
   * links to them are left out and the resolution names only the tasks it may see.
   */
  async history(findingId: string, actor: Actor) {
    const visible = new Set((await this.finding(findingId, actor)).taskIds);
    const entries = historyOf(await this.store.readStream(findingStreamName(findingId)));
    if (actor.role !== 'unit') return this.names.named(entries);
    const seen = entries
      .filter((entry) => entry.type !== 'FindingTaskLinked' || visible.has((entry.data as { taskId: string }).taskId))
      .map((entry) =>
        entry.type === 'FindingResolved'
          ? {
              ...entry,
              data: {
                ...(entry.data as object),
                taskIds: ((entry.data as { taskIds: string[] }).taskIds ?? []).filter((id) => visible.has(id)),
              },
            }
          : entry,
      );
    return this.names.named(seen);
  }
}
