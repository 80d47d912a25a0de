import { CheckpointStore, EventStore, StoredEvent } from '@zhenggai/application';
import { Actor, DomainError } from '@zhenggai/domain';
import { WorkerCommands } from '../commands/worker-command';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';
import { CompleteBreakDownCommand } from './complete-break-down.command';

export const SUBTASK_ASSIGNMENT = 'subtask-assignment';

/**
 * 逐级分解 in one piece: every sub-task a parent recorded (`RectificationTaskBrokenDown`) has its own stream. The
 * break-down assigns them itself right after the parent's append; this durable reaction, from a stored checkpoint,
 * assigns any it did not reach (its process died in between, with no Idempotency-Key to retry it under). Assigning one
 * that is there already changes nothing, so a batch run again is harmless.
 */
export class SubtaskAssignmentReactor extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    private readonly commands: WorkerCommands,
  ) {
    super(store, checkpoints, SUBTASK_ASSIGNMENT, ['RectificationTaskBrokenDown']);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type !== 'RectificationTaskBrokenDown') continue;
      try {
        const origin = {
          actor: event.metadata.actor as Actor,
          correlationId: (event.metadata.correlationId as string) ?? event.id,
          causationId: event.id,
        };
        await this.commands.execute(new CompleteBreakDownCommand(origin, event));
      } catch (error) {
        // A refusal (a parent since reassigned, say) is logged and passed over: one stream cannot stop the reaction.
        if (!(error instanceof DomainError)) throw error;
        this.logger.warn(`passed over: ${error.message}`);
      }
    }
  }
}
