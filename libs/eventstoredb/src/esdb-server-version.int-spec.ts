import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@zhenggai/application';
import { EsdbEventStore, MissingPositionError, UnsupportedServerError } from '@zhenggai/eventstoredb';
import { EsdbDouble, type EsdbDoubleOptions } from '../../../test/support/esdb-double';

// What the adapter asks of the server, over real gRPC against the test double passing for servers of each version.
describe('EventStoreDB versions', () => {
  jest.setTimeout(30_000);
  const opened: Array<{ store: EsdbEventStore; double: EsdbDouble }> = [];

  async function serverAnd(options: EsdbDoubleOptions): Promise<{ store: EsdbEventStore; double: EsdbDouble }> {
    const double = await EsdbDouble.start(options);
    const store = EsdbEventStore.connect(double.url);
    opened.push({ store, double });
    return { store, double };
  }

  afterEach(async () => {
    for (const { store, double } of opened.splice(0)) {
      await store.close();
      double.stop();
    }
  });

  const assigned = (quantity: number) => ({
    type: 'RectificationTaskAssigned',
    data: { quantity },
    metadata: { actor: { username: 'inspector' } },
  });

  it.each(['21.10.4', '22.2.0', '22.5.1'])(
    'refuses EventStoreDB %s, naming its version and the minimum',
    async (serverVersion) => {
      const { store } = await serverAnd({ serverVersion });
      const refusal = store.requireSupportedServer();
      await expect(refusal).rejects.toBeInstanceOf(UnsupportedServerError);
      await expect(refusal).rejects.toThrow(
        `EventStoreDB ${serverVersion} is too old: 整改 needs EventStoreDB 22.6 or later, or KurrentDB`,
      );
    },
  );

  it('refuses a server without the ServerFeatures service (EventStoreDB before 21.10)', async () => {
    const { store } = await serverAnd({ serverVersion: null, batchAppend: false });
    await expect(store.requireSupportedServer()).rejects.toThrow(
      new RegExp(
        String.raw`^EventStoreDB without the ServerFeatures service \(older than 21\.10\) is too old: ` +
          String.raw`.*EventStoreDB 22\.6 or later`,
      ),
    );
  });

  it.each(['22.6.0', '23.10.2', '24.10.0', '25.0.0'])(
    'accepts EventStoreDB / KurrentDB %s, and appends as before',
    async (serverVersion) => {
      const { store, double } = await serverAnd({ serverVersion });
      await expect(store.requireSupportedServer()).resolves.toBe(serverVersion);
      const stream = `rectificationTask-${randomUUID()}`;
      await store.appendToStream(stream, [assigned(1)], { expectedRevision: 'no_stream' });
      await store.appendToStream(stream, [assigned(2)], { expectedRevision: 0 });
      expect((await store.readStream(stream)).map((event) => event.data)).toEqual([{ quantity: 1 }, { quantity: 2 }]);
      // The check read the features the client keeps: it still appends through BatchAppend (one call, kept open).
      expect(double.calls).toMatchObject({ append: 0, batchAppend: 1 });
    },
  );

  it(
    'fails loudly, naming the minimum, when a stream read gives its events ' +
      'no $all position (a server before 22.6)',
    async () => {
      const { store, double } = await serverAnd({ serverVersion: '21.10.4', streamPositions: false });
      const stream = `rectificationTask-${randomUUID()}`;
      await store.appendToStream(stream, [assigned(1)], { expectedRevision: 'no_stream' });

      await expect(store.readStream(stream)).rejects.toBeInstanceOf(MissingPositionError);
      await expect(store.readStream(stream)).rejects.toThrow(`EventStoreDB gave event 0 of ${stream} no $all position`);
      // An append reads the stream's last event to chain onto it: it refuses too, and writes nothing.
      await expect(store.appendToStream(stream, [assigned(2)])).rejects.toThrow(/EventStoreDB 22\.6 or later/);
      expect(double.log.stream(stream)).toHaveLength(1);
      // `$all` carries positions on such a server as well: what was written is still there to read.
      expect((await store.readAll()).filter((event) => event.streamName === stream)).toHaveLength(1);
    },
  );

  it(
    'stops a subscription that is sent an event without a position, and ' + 'reports it rather than skip the event',
    async () => {
      // A fault no server has shown (`$all` always carries positions): the subscription must not take the process down.
      const { store } = await serverAnd({ allPositions: false });
      await store.appendToStream(`rectificationTask-${randomUUID()}`, [assigned(1)]);

      const delivered: StoredEvent[] = [];
      const failed = new Promise<unknown>((resolve) => {
        store.subscribeToAll(async (events) => void delivered.push(...events), { onError: resolve });
      });
      expect(await failed).toBeInstanceOf(MissingPositionError);
      expect(delivered).toEqual([]);
    },
  );
});
