import { Inject, Injectable } from '@nestjs/common';
import { coversRegion, DIRECTORY, Directory, EVENT_STORE, EventStore, loadStream } from '@zhenggai/application';
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
import { ReadModelsService } from '../views/read-models.service';
import { historyEntry, TaskReadService, TaskView } from '../tasks/task-read.service';

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
  ) {}

  /**
   * The finding (from its own short stream) with its tasks (from the tasks read model; a task the model has
   * not seen yet is folded from its stream). Outside the actor's region it answers 404; a unit user sees it
   * only when one of its tasks is its unit's, and only those tasks.
   */
  async finding(findingId: string, actor: Actor): Promise<FindingView> {
    const { state, revision } = await loadStream(this.store, findingDecider, findingStreamName(findingId));
    if (state.status === 'none' || !(await coversRegion(this.directory, actor, state.regionId))) throw new NotFoundError('Finding', findingId);
    const projected = new Map(
      (await this.readModels.tasks.tasksOfFinding(findingId)).map((t) => [t.state.taskId as string, t as { state: RectificationTaskState; revision: number }]),
    );
    const tasks: TaskView[] = [];
    for (const taskId of state.taskIds) {
      const task = projected.get(taskId) ?? (await loadStream(this.store, rectificationTaskDecider, taskStreamName(taskId)));
      if (task.state.status !== 'none' && (await this.tasks.visibleTo(task.state, actor))) tasks.push(this.tasks.view(taskId, task.state, task.revision));
    }
    if (actor.role === 'unit' && tasks.length === 0) throw new NotFoundError('Finding', findingId);
    return { ...state, id: findingId, revision, tasks };
  }

  async history(findingId: string, actor: Actor) {
    await this.finding(findingId, actor);
    return (await this.store.readStream(findingStreamName(findingId))).map(historyEntry);
  }
}
