import { Logger } from '@nestjs/common';
import { EventStore, StoredEvent, Subscription } from '@zhenggai/application';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import { retryUntilStopped } from './retry-until-stopped';

/**
 * How long a reaction lets new events gather before reading them: under a stream of commands it reads a batch
 * a tenth of a second instead of once per append (each read, and each checkpoint, a query of its own).
 */
export const REACTION_LINGER_MS = 100;

/**
 * A durable reaction to the event store: a subscription from the checkpoint stored under `name`, whose batches
 * are applied until they succeed (a queue or database away for a while holds the checkpoint back instead of
 * stopping the reaction), then checkpointed. `apply` must be idempotent: after a crash a batch runs again.
 */
export abstract class CheckpointedReactor {
  protected readonly logger: Logger;
  private subscription: Subscription | null = null;
  private stopping = false;

  protected constructor(
    protected readonly store: EventStore,
    private readonly checkpoints: PostgresCheckpointStore,
    readonly name: string,
    private readonly eventTypePrefixes: readonly string[],
  ) {
    this.logger = new Logger(name);
  }

  protected abstract apply(events: readonly StoredEvent[]): Promise<void>;

  async start(): Promise<void> {
    this.stopping = false;
    const after = await this.checkpoints.load(this.name);
    this.subscription = this.store.subscribeToAll((events) => this.handle(events), {
      after,
      eventTypePrefixes: this.eventTypePrefixes,
      lingerMs: REACTION_LINGER_MS,
      onError: (error) => this.logger.error(`stopped: ${error instanceof Error ? error.stack : String(error)}`),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.stop();
    this.subscription = null;
  }

  async handle(events: readonly StoredEvent[]): Promise<void> {
    await retryUntilStopped(() => this.stopping, this.logger, () => this.apply(events));
    if (events.length > 0) await this.checkpoints.save(this.name, events[events.length - 1].position);
  }
}
