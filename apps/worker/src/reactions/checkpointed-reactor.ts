import { Logger } from '@nestjs/common';
import {
  CatchUpTurns,
  CheckpointStore,
  EventStore,
  GlobalPosition,
  LeaveOutKeys,
  StoredEvent,
  Subscription,
} from '@zhenggai/application';
import { eventUpcasters } from '@zhenggai/domain';
import { retryUntilStopped } from './retry-until-stopped';

/**
 * How long a reaction lets new events gather before reading them: under a stream of commands it reads a batch
 * every fifth of a second instead of once per append (each read, and each checkpoint, a query of its own). An
 * event after a quiet while is handled at once.
 */
export const REACTION_LINGER_MS = 200;

/** The most events a reaction is handed at once: a batch this long means it is behind (catching up). */
export const REACTION_BATCH_SIZE = 500;

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
  private turns: CatchUpTurns | undefined;

  protected constructor(
    protected readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    readonly name: string,
    private readonly eventTypePrefixes: readonly string[],
    /** Keys of the events' data `apply` never reads, which the store may leave out (`LeaveOutKeys`). */
    private readonly leaveOutKeys?: LeaveOutKeys,
  ) {
    this.logger = new Logger(name);
  }

  protected abstract apply(events: readonly StoredEvent[]): Promise<void>;

  /**
   * Catches up (a full batch in hand) only in its turn with the process's read models and other reactions
   * (`CatchUpTurns`), and gives the turn up once live or when one more wanted waits. Call before `start`.
   */
  catchUpIn(turns: CatchUpTurns): this {
    this.turns = turns;
    return this;
  }

  async start(): Promise<void> {
    this.stopping = new AbortController();
    const after = await this.checkpoints.load(this.name);
    this.subscription = this.store.subscribeToAll((events) => this.handle(events), {
      after,
      batchSize: REACTION_BATCH_SIZE,
      eventTypePrefixes: this.eventTypePrefixes,
      leaveOutKeys: this.leaveOutKeys,
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
    this.turns?.give(this.name);
  }

  async handle(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const behind = events.length >= REACTION_BATCH_SIZE;
    const upcast = eventUpcasters.upcastAll(events);
    const applied = await retryUntilStopped(this.stopping.signal, this.logger, async () => {
      // Stopped while waiting for its turn: the batch is handed over again at the next start.
      if (behind) await this.turns?.take(this.name, this.stopping.signal);
      try {
        await this.apply(upcast);
      } catch (error) {
        // Not held while it waits to try again (a queue away for a while): the others catch up meanwhile.
        this.turns?.give(this.name);
        throw error;
      }
    });
    if (!applied) return;
    const position = events[events.length - 1].position;
    await retryUntilStopped(this.stopping.signal, this.logger, () => this.checkpoints.save(this.name, position));
    if (!this.turns?.holds(this.name)) return;
    // A full batch may have been the last there is: no batch comes after it to give the turn up then, and every other
    // read model and reaction would wait for it for ever.
    if (!behind || this.turns.shouldYield(this.name) || !(await this.moreAfter(position))) this.turns.give(this.name);
  }

  /**
   * Whether the reaction has caught up with the store: less than a batch of its events lies beyond its stored
   * checkpoint (a reaction that was never started has none, and is behind by all of them).
   */
  async caughtUp(): Promise<boolean> {
    const after = await this.checkpoints.load(this.name);
    const beyond = await this.store.readAll({
      after,
      maxCount: REACTION_BATCH_SIZE,
      eventTypePrefixes: this.eventTypePrefixes,
    });
    return beyond.length < REACTION_BATCH_SIZE;
  }

  /** Whether the store holds more of this reaction's events after `position` (a failed look counts as none). */
  private async moreAfter(position: GlobalPosition): Promise<boolean> {
    try {
      const next = await this.store.readAll({
        after: position,
        maxCount: 1,
        eventTypePrefixes: this.eventTypePrefixes,
      });
      return next.length > 0;
    } catch {
      return false;
    }
  }
}
