import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { verifyStream, type StoredEvent, type Subscription } from '@zhenggai/application';
import { ConcurrencyError } from '@zhenggai/domain';
import { EsdbEventStore, EsdbProjectionSource, HASH_KEY, PREVIOUS_HASH_KEY } from '@zhenggai/eventstoredb';
import { describeEventStoreContract } from '../../../test/contract/event-store.contract';
import { DoubleLog, EsdbDouble } from '../../../test/support/esdb-double';
import { closedAfterThisFile } from '../../../test/support/opened-for-this-file';

// The contract on the test double over real gRPC: as a real server (BatchAppend advertised) and as an older
// one (Append only); and on a real EventStoreDB / KurrentDB whenever ESDB_URL names one.
for (const batchAppend of [true, false]) {
  describeEventStoreContract(`EventStoreDB (test double, ${batchAppend ? 'BatchAppend' : 'Append'})`, async () => {
    const double = await EsdbDouble.start({ batchAppend });
    const store = EsdbEventStore.connect(double.url, { pageSize: 50 });
    return {
      store,
      teardown: async () => {
        await store.close();
        double.stop();
      },
    };
  });
}

if (process.env.ESDB_URL) {
  describeEventStoreContract(`EventStoreDB at ESDB_URL`, async () => {
    const store = EsdbEventStore.connect(process.env.ESDB_URL!);
    return { store, teardown: () => store.close() };
  });
}

describe('EsdbEventStore on the test double', () => {
  let double: EsdbDouble;
  let store: EsdbEventStore;
  let raw: EventStoreDBClient;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    double = await closedAfterThisFile(EsdbDouble.start(), (d) => d.stop());
    store = EsdbEventStore.connect(double.url, { reconnectDelayMs: 100 });
    raw = EventStoreDBClient.connectionString(double.url);
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
  });

  afterAll(async () => {
    await store?.close();
    await raw?.dispose();
    double?.stop();
  });

  const assigned = (quantity: number) => ({
    type: 'RectificationTaskAssigned',
    data: { quantity },
    metadata: {
      actor: { username: 'inspector' },
      occurredAt: '2018-07-20T08:00:00.000Z',
      correlationId: randomUUID(),
      causationId: null,
    },
  });

  it(
    "keeps the port's stream names (category-id), and the chain, actor and " + 'correlation in the event metadata',
    async () => {
      const stream = `rectificationTask-${randomUUID()}`;
      const event = assigned(217);
      await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });

      const [stored] = await store.readStream(stream);
      const [recorded] = await collect(raw.readStream(stream, { direction: FORWARDS, fromRevision: START }));
      const metadata = recorded!.event!.metadata as Record<string, unknown>;

      expect(recorded!.event!.streamId).toBe(stream);
      expect(metadata).toMatchObject({
        actor: { username: 'inspector' },
        correlationId: event.metadata.correlationId,
        $correlationId: event.metadata.correlationId,
        [PREVIOUS_HASH_KEY]: null,
        [HASH_KEY]: stored!.hash,
      });
      expect(metadata).not.toHaveProperty('$causationId');
      expect(stored!.metadata).toEqual(event.metadata);
      expect(verifyStream([stored!])).toMatchObject({ ok: true });
    },
  );

  it("skips the server's system events when reading all events", async () => {
    double.log.writeSystemEvent();
    const all = await store.readAll();
    expect(double.log.all.some((record) => record.type.startsWith('$'))).toBe(true);
    expect(all.some((event) => event.type.startsWith('$') || event.streamName.startsWith('$'))).toBe(false);
  });

  it('reads its head, and pages for projections up to it', async () => {
    const stream = `rectificationTask-${randomUUID()}`;
    await store.appendToStream(stream, [assigned(1), assigned(2)]);
    const head = await store.readHead();
    const source = new EsdbProjectionSource(store);
    const [last] = await store.readStream(stream, { fromRevision: 1 });

    expect(head).toBe(double.log.all[double.log.all.length - 1]!.position);
    expect(head).toBeGreaterThanOrEqual(last!.position);
    const page = await source.readPage({ after: last!.position, limit: 10, eventTypePrefixes: ['RectificationTask'] });
    expect(page.events).toEqual([]);
    expect(page.highWater).toBe(head);
  });

  it('subscribes again from its checkpoint when the server goes away and comes back', async () => {
    const stream = `rectificationTask-${randomUUID()}`;
    const delivered: StoredEvent[] = [];
    const after = (await store.appendToStream(`marker-${randomUUID()}`, [assigned(0)])).position;
    subscriptions.push(store.subscribeToAll(async (events) => void delivered.push(...events), { after }));
    await store.appendToStream(stream, [assigned(1)]);
    await waitFor(() => delivered.some((e) => e.streamName === stream));

    const port = double.port;
    double.stop();
    await expect(store.appendToStream(stream, [assigned(2)])).rejects.toThrow();
    double = await EsdbDouble.start({ log: double.log, port });
    await waitUntilAppended(() => store.appendToStream(stream, [assigned(2)], { expectedRevision: 0 }));
    await waitFor(() => delivered.filter((e) => e.streamName === stream).length === 2);

    const ours = delivered.filter((e) => e.streamName === stream);
    expect(ours.map((e) => e.revision)).toEqual([0, 1]);
    expect(verifyStream(ours)).toMatchObject({ ok: true, events: 2 });
    expect(new Set(delivered.map((e) => e.id)).size).toBe(delivered.length);
  });

  it.each([true, false])(
    'appends through BatchAppend when the server advertises it (%s), through Append otherwise',
    async (batchAppend) => {
      const server = await EsdbDouble.start({ batchAppend });
      const onServer = EsdbEventStore.connect(server.url);
      try {
        await onServer.appendToStream('campaign-2', [assigned(1)]);
        await onServer.appendToStream('campaign-2', [assigned(2)], { expectedRevision: 0 });
        // Both read revision 1 and send their append: the server refuses the second, on either path.
        const racing = await Promise.allSettled(
          [3, 4].map((n) => onServer.appendToStream('campaign-2', [assigned(n)], { expectedRevision: 1 })),
        );
        expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(racing.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []))).toEqual([
          expect.any(ConcurrencyError),
        ]);
        expect(server.calls).toMatchObject(batchAppend ? { append: 0, batchAppend: 1 } : { append: 4, batchAppend: 0 });
      } finally {
        await onServer.close();
        server.stop();
      }
    },
  );

  it('a restarted double serves the same log', async () => {
    const log = new DoubleLog({ systemEvents: false });
    const first = await EsdbDouble.start({ log });
    const onFirst = EsdbEventStore.connect(first.url);
    await onFirst.appendToStream('campaign-1', [assigned(3)]);
    await onFirst.close();
    first.stop();
    const second = await EsdbDouble.start({ log });
    const onSecond = EsdbEventStore.connect(second.url);
    try {
      expect((await onSecond.readStream('campaign-1')).map((e) => e.data)).toEqual([{ quantity: 3 }]);
    } finally {
      await onSecond.close();
      second.stop();
    }
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The client finds the server again on a later call: try until an append goes through. */
async function waitUntilAppended(append: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await append();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
