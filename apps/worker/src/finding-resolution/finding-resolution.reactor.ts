import { CheckpointStore, EventStore, loadStream, StoredEvent } from '@zhenggai/application';
import {
  ASSIGNMENT_LADDER_KEYS,
  Actor,
  DomainError,
  findingDecider,
  findingStreamName,
  rectificationTaskDecider,
  SYSTEM_ACTOR,
  taskStreamName,
} from '@zhenggai/domain';
import { WorkerCommands } from '../commands/worker-command';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';
import { LinkTaskToFindingCommand } from './link-task-to-finding.command';
import { ResolveFindingCommand } from './resolve-finding.command';

export const FINDING_RESOLUTION = 'finding-resolution';

// An assignment needs no reconciliation: linking a task to a resolved finding reopens it.
const OUTCOME_EVENTS = new Set([
  'RectificationTaskVerified',
  'RectificationTaskCancelled',
  'RectificationTaskReopened',
]);

/**
 * A finding (问题) is resolved when all its tasks are closed. This durable reaction follows task events from a
 * stored checkpoint (only those it acts on, and the links: progress reports do not wake it): it makes sure each task
 * is linked to its finding (healing an assignment that crashed between its two appends) and resolves or reopens the
 * finding. Every step is idempotent, so replaying a batch after a crash, or after the store went away in the
 * middle of it, changes nothing.
 */
export class FindingResolutionReactor extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    private readonly commands: WorkerCommands,
  ) {
    super(
      store,
      checkpoints,
      FINDING_RESOLUTION,
      ['RectificationTaskAssigned', 'FindingTaskLinked', ...OUTCOME_EVENTS],
      ASSIGNMENT_LADDER_KEYS,
    );
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    // The links in this batch: an assignment whose link follows it here (both went in one append, as on PostgreSQL)
    // is linked, and its finding need not be read. Under a stream of assignments that read had been one a finding a
    // batch, the worker's largest number of queries after the read models' own.
    const linkedHere = new Set(
      events.filter((e) => e.type === 'FindingTaskLinked').map((e) => `${e.data.findingId} ${e.data.taskId}`),
    );
    const assigned = new Map<string, StoredEvent[]>();
    const toReconcile = new Map<string, StoredEvent>();
    for (const event of events) {
      // A sub-task answers to its parent, not to the finding: only top-level tasks are the finding's.
      if (event.type === 'RectificationTaskAssigned' && event.data.parentTaskId === null) {
        const findingId = event.data.findingId as string;
        if (linkedHere.has(`${findingId} ${event.data.taskId}`)) continue;
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
   * Linking what is linked already appends nothing; the finding, read once, tells which are (nearly all: the
   * assignment's own command links its task, and a catch-up over a store's history meets every one), so that only the
   * others cost a command.
   */
  private async link(findingId: string, assignments: readonly StoredEvent[]): Promise<void> {
    const { state } = await loadStream(this.store, findingDecider, findingStreamName(findingId));
    const linked = new Set(state.status === 'none' ? [] : state.taskIds);
    for (const event of assignments) {
      if (linked.has(event.data.taskId as string)) continue;
      await this.commands.execute(
        new LinkTaskToFindingCommand(this.originOf(event, event.metadata.actor as Actor), {
          findingId,
          taskId: event.data.taskId as string,
        }),
      );
    }
  }

  private async findingOf(event: StoredEvent): Promise<string | null> {
    if (event.data.findingId) return event.data.findingId as string;
    const { state } = await loadStream(this.store, rectificationTaskDecider, taskStreamName(event.data.taskId));
    return state.status === 'none' ? null : state.findingId;
  }

  private async reconcile(findingId: string, cause: StoredEvent): Promise<void> {
    await this.commands.execute(new ResolveFindingCommand(this.originOf(cause, SYSTEM_ACTOR), { findingId }));
  }

  /** The command follows from `cause`: in its correlation, caused by it. */
  private originOf(cause: StoredEvent, actor: Actor) {
    return { actor, correlationId: (cause.metadata.correlationId as string) ?? cause.id, causationId: cause.id };
  }
}
