import { CatchUpTurns, type EventStore, type GlobalPosition, type StoredEvent } from '@zhenggai/application';
import { countedEvents } from '../../../../test/support/counted-events';
import { CheckpointedReactor, REACTION_BATCH_SIZE } from './checkpointed-reactor';

/** A reaction that records the batches it applies, on a store whose last event is at `head`. */
class RecordingReactor extends CheckpointedReactor {
  readonly applied: number[] = [];
  readonly saved: GlobalPosition[] = [];

  constructor(
    name: string,
    private readonly head = 10_000n,
  ) {
    const checkpoints = {
      load: async () => 0n,
      save: async (_: string, position: GlobalPosition) => void this.saved.push(position),
    };
    const store = {
      readAll: async ({ after }: { after: GlobalPosition }) => (after < this.head ? events(1, Number(after) + 1) : []),
    };
    super(store as unknown as EventStore, checkpoints, name, ['Counted']);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    this.applied.push(events.length);
  }
}

const events = countedEvents;

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a durable reaction far behind the store', () => {
  it('applies a full batch only in its turn, and gives the turn up with the first short batch', async () => {
    const turns = new CatchUpTurns(['tasks', 'reminder-scheduler']);
    const reactor = new RecordingReactor('reminder-scheduler').catchUpIn(turns);
    await turns.take('tasks');

    const full = reactor.handle(events(REACTION_BATCH_SIZE));
    await settle();
    expect(reactor.applied).toEqual([]);
    expect(turns.status().waiting).toEqual(['reminder-scheduler']);

    turns.give('tasks');
    await full;
    expect(reactor.applied).toEqual([REACTION_BATCH_SIZE]);
    expect(reactor.saved).toEqual([BigInt(REACTION_BATCH_SIZE)]);
    expect(turns.status().catchingUp).toEqual(['reminder-scheduler']);

    await reactor.handle(events(3, REACTION_BATCH_SIZE + 1));
    expect(reactor.applied).toEqual([REACTION_BATCH_SIZE, 3]);
    expect(turns.status()).toEqual({ catchingUp: [], waiting: [] });
  });

  it('applies a short batch (it is live) without waiting for anyone', async () => {
    const turns = new CatchUpTurns(['tasks']);
    const reactor = new RecordingReactor('hand-over-notifier').catchUpIn(turns);
    await turns.take('tasks');
    await reactor.handle(events(REACTION_BATCH_SIZE - 1));
    expect(reactor.applied).toEqual([REACTION_BATCH_SIZE - 1]);
  });

  it('gives its turn up after a batch when one more wanted is waiting', async () => {
    const turns = new CatchUpTurns(['tasks', 'audit', 'reminder-scheduler']);
    const reactor = new RecordingReactor('reminder-scheduler').catchUpIn(turns);
    await reactor.handle(events(REACTION_BATCH_SIZE));
    expect(turns.status().catchingUp).toEqual(['reminder-scheduler']);

    const tasks = turns.take('tasks');
    await reactor.handle(events(REACTION_BATCH_SIZE, REACTION_BATCH_SIZE + 1));
    await tasks;
    expect(turns.status()).toEqual({ catchingUp: ['tasks'], waiting: [] });
  });

  it('gives its turn up after a full batch that was the last in the store (no short batch follows)', async () => {
    const turns = new CatchUpTurns(['tasks', 'reminder-scheduler', 'audit']);
    const reactor = new RecordingReactor('reminder-scheduler', BigInt(REACTION_BATCH_SIZE)).catchUpIn(turns);
    await turns.take('tasks');
    const full = reactor.handle(events(REACTION_BATCH_SIZE));
    const audit = turns.take('audit');
    turns.give('tasks');
    await full;
    await audit;
    expect(reactor.applied).toEqual([REACTION_BATCH_SIZE]);
    expect(turns.status()).toEqual({ catchingUp: ['audit'], waiting: [] });
  });

  it('stopped while waiting for its turn, applies nothing and saves no checkpoint', async () => {
    const turns = new CatchUpTurns(['tasks']);
    const reactor = new RecordingReactor('finding-resolution').catchUpIn(turns);
    await turns.take('tasks');
    const full = reactor.handle(events(REACTION_BATCH_SIZE));
    await settle();
    await reactor.stop();
    await full;
    expect(reactor.applied).toEqual([]);
    expect(reactor.saved).toEqual([]);
    expect(turns.status()).toEqual({ catchingUp: ['tasks'], waiting: [] });
  });
});

describe('whether a durable reaction has caught up', () => {
  /** A reaction checkpointed at `at`, on a store whose last event of its types is at `head`. */
  class Checkpointed extends CheckpointedReactor {
    readonly asked: Array<{ after: GlobalPosition; maxCount: number; eventTypePrefixes: readonly string[] }> = [];

    constructor(at: GlobalPosition, head: GlobalPosition) {
      const store = {
        readAll: async (options: { after: GlobalPosition; maxCount: number; eventTypePrefixes: readonly string[] }) => {
          this.asked.push(options);
          return events(Math.min(options.maxCount, Number(head - options.after)), Number(options.after) + 1);
        },
      };
      super(store as unknown as EventStore, { load: async () => at, save: async () => undefined }, 'scheduler', [
        'Counted',
      ]);
    }

    protected async apply(): Promise<void> {}
  }

  it('has when less than a batch of its events lies beyond its checkpoint', async () => {
    const head = 10_000n;
    const behind = new Checkpointed(head - BigInt(REACTION_BATCH_SIZE), head);
    const almost = new Checkpointed(head - BigInt(REACTION_BATCH_SIZE) + 1n, head);
    expect([await behind.caughtUp(), await almost.caughtUp(), await new Checkpointed(head, head).caughtUp()]).toEqual([
      false,
      true,
      true,
    ]);
    expect(behind.asked).toEqual([
      { after: head - BigInt(REACTION_BATCH_SIZE), maxCount: REACTION_BATCH_SIZE, eventTypePrefixes: ['Counted'] },
    ]);
  });
});
