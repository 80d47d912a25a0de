import { takesEventType, type GlobalPosition, type StoredEvent } from '@zhenggai/application';
import { countedEvents } from '../../../../test/support/counted-events';
import { SharedEventReads, type SharedEventReadsOptions } from './shared-event-reads';

/** A store whose events are all readable at once; records each query as [after, limit, prefixes]. */
class FakeStore {
  readonly events: StoredEvent[] = [];
  readonly queries: [GlobalPosition, number, string | undefined][] = [];
  failNext: Error | null = null;
  private appended: (() => void) | null = null;

  /** Appends events of these types (positions go on from the last), announced unless told otherwise. */
  append(types: string[], { announce = true } = {}): void {
    const from = this.events.length + 1;
    countedEvents(types.length, from).forEach((event, i) => this.events.push({ ...event, type: types[i]! }));
    if (announce) this.appended?.();
  }

  readonly options: Pick<SharedEventReadsOptions, 'read' | 'onAppended'> = {
    read: async (after, limit, prefixes) => {
      this.queries.push([after, limit, prefixes?.join()]);
      if (this.failNext) {
        const failure = this.failNext;
        this.failNext = null;
        throw failure;
      }
      const events = this.events.filter((e) => e.position > after && takesEventType(prefixes, e.type)).slice(0, limit);
      return { events, highWater: BigInt(this.events.length) };
    },
    onAppended: (appended) => {
      this.appended = appended;
      return () => {
        this.appended = null;
      };
    },
  };
}

const positions = (page: { events: readonly StoredEvent[] }) => page.events.map((e) => Number(e.position));

describe('reads shared by the readers near the head', () => {
  let store: FakeStore;
  let now: number;
  let reads: SharedEventReads;
  const shared = (options: Partial<SharedEventReadsOptions> = {}) =>
    new SharedEventReads({ ...store.options, now: () => now, minIntervalMs: 0, ...options });

  beforeEach(() => {
    store = new FakeStore();
    now = 0;
    reads = shared();
  });
  afterEach(() => reads.close());

  /** Two readers that have caught up with a store of three events. */
  async function caughtUp(): Promise<void> {
    store.append(['TaskAssigned', 'FindingFiled', 'TaskAccepted']);
    await reads.read(0n, 100, ['Task']);
    store.queries.length = 0;
  }

  it('reads each event once for every reader, and hands each the types it takes', async () => {
    await caughtUp();
    store.append(['TaskProgressReported', 'FindingFiled', 'TaskAccepted']);

    const [tasks, findings, all] = await Promise.all([
      reads.read(3n, 100, ['Task']),
      reads.read(3n, 100, ['Finding']),
      reads.read(3n, 100),
    ]);

    expect(positions(tasks)).toEqual([4, 6]);
    expect(positions(findings)).toEqual([5]);
    expect(positions(all)).toEqual([4, 5, 6]);
    expect([tasks.highWater, findings.highWater, all.highWater]).toEqual([6n, 6n, 6n]);
    // one query, of every type, from where the last left off
    expect(store.queries).toEqual([[3n, 1000, undefined]]);
  });

  it('answers from memory while nothing was appended, and asks the store again once something was', async () => {
    await caughtUp();
    await reads.read(3n, 100);
    expect(store.queries).toHaveLength(1);

    now += 50;
    const again = await reads.read(3n, 100, ['Task']);
    expect(positions(again)).toEqual([]);
    expect(again.highWater).toBe(3n);
    expect(store.queries).toHaveLength(1);

    store.append(['TaskAccepted']);
    const after = await reads.read(3n, 100, ['Task']);
    expect(positions(after)).toEqual([4]);
    expect(store.queries).toHaveLength(2);
  });

  // An event can become readable when an older append ends, which nobody announces.
  it('asks the store again after maxAgeMs even with nothing announced', async () => {
    await caughtUp();
    await reads.read(3n, 100);
    store.append(['TaskAccepted'], { announce: false });

    expect(positions(await reads.read(3n, 100))).toEqual([]);
    now += 100;
    expect(positions(await reads.read(3n, 100))).toEqual([4]);
  });

  it('lets a reader further behind read for itself, with its own types', async () => {
    store.append(['TaskAssigned', 'FindingFiled', 'TaskAccepted']);
    // The first to catch up starts what is kept at the head it found.
    await reads.read(0n, 100, ['Finding']);
    store.queries.length = 0;

    const behind = await reads.read(1n, 100, ['Task']);

    expect(positions(behind)).toEqual([3]);
    expect(store.queries).toEqual([[1n, 100, 'Task']]);
  });

  it('reads on past a burst longer than one query, for a reader that wants all of it', async () => {
    reads = shared({ readLimit: 4 });
    await caughtUp();
    store.append(Array.from({ length: 10 }, () => 'TaskProgressReported'));

    const page = await reads.read(3n, 100);

    expect(positions(page)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(page.highWater).toBe(13n);
    expect(store.queries.map(([after]) => after)).toEqual([3n, 7n, 11n]);
  });

  it('hands a full page without reading further, and the rest at the next read', async () => {
    await caughtUp();
    store.append(['TaskProgressReported', 'TaskProgressReported', 'TaskProgressReported']);

    const first = await reads.read(3n, 2);
    const rest = await reads.read(5n, 2);

    expect(positions(first)).toEqual([4, 5]);
    expect(positions(rest)).toEqual([6]);
    expect(store.queries).toHaveLength(1);
  });

  it('lets go of the oldest events beyond maxEvents: a reader before them reads for itself', async () => {
    reads = shared({ maxEvents: 4 });
    await caughtUp();
    store.append(Array.from({ length: 6 }, () => 'TaskProgressReported'));
    await reads.read(3n, 100);
    store.queries.length = 0;

    expect(positions(await reads.read(5n, 100))).toEqual([6, 7, 8, 9]);
    expect(store.queries).toEqual([]);
    expect(positions(await reads.read(4n, 100))).toEqual([5, 6, 7, 8, 9]);
    expect(store.queries).toEqual([[4n, 100, undefined]]);
  });

  it('queries at most every minIntervalMs: the readers asking meanwhile share the next query', async () => {
    reads = shared({ minIntervalMs: 30 });
    await caughtUp();
    store.append(['TaskAccepted']);
    await reads.read(3n, 100);
    store.append(['FindingFiled']);

    const [tasks, findings] = await Promise.all([reads.read(4n, 100, ['Task']), reads.read(4n, 100, ['Finding'])]);

    expect(positions(tasks)).toEqual([]);
    expect(positions(findings)).toEqual([5]);
    expect(store.queries.map(([after]) => after)).toEqual([3n, 4n]);
  });

  it('fails the readers waiting for a query that failed, and the next read asks again', async () => {
    await caughtUp();
    store.append(['TaskAccepted']);
    store.failNext = new Error('connection terminated');

    await expect(reads.read(3n, 100)).rejects.toThrow('connection terminated');
    expect(positions(await reads.read(3n, 100))).toEqual([4]);
  });

  it('reads for itself a reader that was waiting for the next query when closed', async () => {
    reads = shared({ minIntervalMs: 30 });
    await caughtUp();
    store.append(['TaskAccepted']);
    await reads.read(3n, 100);
    store.append(['TaskAccepted']);

    const waiting = reads.read(4n, 100, ['Task']);
    reads.close();

    expect(positions(await waiting)).toEqual([5]);
    expect(store.queries.at(-1)).toEqual([4n, 100, 'Task']);
  });

  it('reads for each reader once closed', async () => {
    await caughtUp();
    reads.close();
    store.append(['TaskAccepted']);

    expect(positions(await reads.read(3n, 100, ['Task']))).toEqual([4]);
    expect(store.queries).toEqual([[3n, 100, 'Task']]);
  });
});
