import {
  CheckpointStore,
  Clock,
  decideAndAppend,
  EventStore,
  LoadedStream,
  loadStream,
  StoredEvent,
} from '@zhenggai/application';
import {
  Actor,
  DomainError,
  findingDecider,
  FindingState,
  findingStreamName,
  rectificationTaskDecider,
  taskStreamName,
  TaskStatus,
} from '@zhenggai/domain';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';

export const FINDING_RESOLUTION = 'finding-resolution';

/** The worker acts as this actor when nobody in particular decided (a finding resolving itself). */
export const SYSTEM_ACTOR: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  username: 'system',
  role: 'admin',
  unitId: null,
};

// An assignment needs no reconciliation: linking a task to a resolved finding reopens it.
const OUTCOME_EVENTS = new Set([
  'RectificationTaskVerified',
  'RectificationTaskCancelled',
  'RectificationTaskReopened',
]);

/**
 * A finding (问题) is resolved when all its tasks are closed. This durable reaction follows task events from a
 * stored checkpoint (only those it acts on: progress reports do not wake it): it makes sure each task is linked
 * to its finding (healing an assignment that crashed between its two appends) and resolves or reopens the
 * finding. Every step is idempotent, so replaying a batch after a crash, or after the store went away in the
 * middle of it, changes nothing.
 */
export class FindingResolutionReactor extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    private readonly clock: Clock,
  ) {
    super(store, checkpoints, FINDING_RESOLUTION, ['RectificationTaskAssigned', ...OUTCOME_EVENTS]);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    const assigned = new Map<string, StoredEvent[]>();
    const toReconcile = new Map<string, StoredEvent>();
    for (const event of events) {
      if (event.type === 'RectificationTaskAssigned') {
        const findingId = event.data.findingId as string;
        assigned.set(findingId, [...(assigned.get(findingId) ?? []), event]);
      }
      if (OUTCOME_EVENTS.has(event.type)) {
        const findingId = await this.findingOf(event);
        if (findingId) toReconcile.set(findingId, event);
      }
    }
    for (const [findingId, tasks] of assigned) await this.refusalsLogged(() => this.link(findingId, tasks));
    for (const [findingId, cause] of toReconcile) await this.refusalsLogged(() => this.reconcile(findingId, cause));
  }

  /**
   * A finding that refuses (e.g. one that was never filed) is logged and passed over, so one bad stream cannot stop the
   * reactor.
   */
  private async refusalsLogged(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`passed over: ${error.message}`);
    }
  }

  /**
   * One read of the finding for all the tasks a batch assigned to it; linking what is linked already appends nothing.
   */
  private async link(findingId: string, assignments: readonly StoredEvent[]): Promise<void> {
    const stream = findingStreamName(findingId);
    let finding: Pick<LoadedStream<FindingState>, 'state' | 'revision'> = await loadStream(
      this.store,
      findingDecider,
      stream,
    );
    for (const event of assignments) {
      const { state, revision } = await decideAndAppend(
        this.store,
        findingDecider,
        stream,
        {
          type: 'LinkTaskToFinding',
          data: { taskId: event.data.taskId as string },
          metadata: this.metadata(event, event.metadata.actor as Actor),
        },
        { loaded: finding },
      );
      finding = { state, revision };
    }
  }

  private async findingOf(event: StoredEvent): Promise<string | null> {
    if (event.data.findingId) return event.data.findingId as string;
    const { state } = await loadStream(this.store, rectificationTaskDecider, taskStreamName(event.data.taskId));
    return state.status === 'none' ? null : state.findingId;
  }

  private async reconcile(findingId: string, cause: StoredEvent): Promise<void> {
    const finding = await loadStream(this.store, findingDecider, findingStreamName(findingId));
    if (finding.state.status === 'none') return;
    const tasks: Array<{ taskId: string; status: TaskStatus }> = [];
    for (const taskId of finding.state.taskIds) {
      const { state } = await loadStream(this.store, rectificationTaskDecider, taskStreamName(taskId));
      if (state.status !== 'none') tasks.push({ taskId, status: state.status });
    }
    await decideAndAppend(this.store, findingDecider, findingStreamName(findingId), {
      type: 'ReconcileFindingResolution',
      data: { tasks },
      metadata: this.metadata(cause, SYSTEM_ACTOR),
    });
  }

  private metadata(cause: StoredEvent, actor: Actor) {
    return {
      actor,
      now: this.clock.now().toISOString(),
      correlationId: (cause.metadata.correlationId as string) ?? cause.id,
      causationId: cause.id,
    };
  }
}
