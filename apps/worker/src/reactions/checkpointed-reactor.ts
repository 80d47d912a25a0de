import { Logger } from '@nestjs/common';
import { CheckpointStore, EventStore, StoredEvent, Subscription } from '@zhenggai/application';
import { eventUpcasters } from '@zhenggai/domain';
import { retryUntilStopped } from './retry-until-stopped';

/**
 * How long a reaction lets new events gather before reading them: under a stream of commands it reads a batch
 * a tenth of a second instead of once per append (each read, and each checkpoint, a query of its own).
 */
export const REACTION_LINGER_MS = 100;

/**
 * A durable reaction to the event store: a subscription from the checkpoint stored under `name`, whose batches
 * are applied until they succeed, then checkpointed until that succeeds (a queue or database away for a while,
 * a connection terminated in the middle, holds the checkpoint back instead of stopping the reaction). `apply`
 * must be idempotent: after a crash, or a checkpoint that could not be saved, a batch runs again. It gets each
 * event in its newest shape (`eventUpcasters`).
 */
export abstract class CheckpointedReactor {
  protected readonly logger: Logger;
  private subscription: Subscription | null = null;
  private stopping = new AbortController();

  protected constructor(
    protected readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    readonly name: string,
    private readonly eventTypePrefixes: readonly string[],
  ) {
    this.logger = new Logger(name);
  }

  protected abstract apply(events: readonly StoredEvent[]): Promise<void>;

  async start(): Promise<void> {
    this.stopping = new AbortController();
    const after = await this.checkpoints.load(this.name);
    this.subscription = this.store.subscribeToAll((events) => this.handle(events), {
      after,
      eventTypePrefixes: this.eventTypePrefixes,
      lingerMs: REACTION_LINGER_MS,
      onError: (error) => this.logger.error(`stopped: ${error instanceof Error ? error.stack : String(error)}`),
    });
  }

  /**
   * Ends the subscription, after the batch in hand if it goes through; a batch waiting to be retried is left for the
   * next start.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.stop();
    this.subscription = null;
  }

  async handle(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const upcast = eventUpcasters.upcastAll(events);
    if (!(await retryUntilStopped(this.stopping.signal, this.logger, () => this.apply(upcast)))) return;
    const position = events[events.length - 1].position;
    await retryUntilStopped(this.stopping.signal, this.logger, () => this.checkpoints.save(this.name, position));
  }
}
