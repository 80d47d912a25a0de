import { InMemoryEventStore } from '../testing/in-memory-event-store';
import type { StoredEvent } from './event-store.port';
import { chainHash, contentDigest } from './hash-chain';
import { verifyEventStore, verifyStoredStream, verifyStream } from './verify-chain';

const progress = (quantityDone: number) => ({
  type: 'RectificationTaskProgressReported',
  data: { quantityDone, unit: '户' },
  metadata: { actor: 'unit-1' },
});

async function storeWithTwoStreams() {
  const store = new InMemoryEventStore();
  await store.appendToStream('rectificationTask-a', [progress(1), progress(2)]);
  await store.appendToStream('rectificationTask-b', [progress(10)]);
  await store.appendToStream('rectificationTask-a', [progress(3), progress(4)]);
  await store.appendToStream('rectificationTask-b', [progress(11)]);
  return store;
}

/** Replaces the stored event at an index, as someone with write access to the store could. */
function tamper(store: InMemoryEventStore, index: number, change: (event: StoredEvent) => Partial<StoredEvent>) {
  store.events[index] = { ...store.events[index]!, ...change(store.events[index]!) };
}

describe('verifying the hash chain', () => {
  it('finds an untouched store and each of its streams intact', async () => {
    const store = await storeWithTwoStreams();

    expect(await verifyEventStore(store, 2)).toEqual({ ok: true, streams: 2, events: 6 });
    expect(await verifyStoredStream(store, 'rectificationTask-a', 3)).toEqual({ ok: true, streams: 1, events: 4 });
    expect(verifyStream(await store.readStream('rectificationTask-b'))).toEqual({ ok: true, streams: 1, events: 2 });
    expect(verifyStream([])).toEqual({ ok: true, streams: 0, events: 0 });
  });

  it('names the stream, revision and position of an event whose data was edited', async () => {
    const store = await storeWithTwoStreams();
    const edited = store.events[3]!; // rectificationTask-a, revision 2
    tamper(store, 3, (event) => ({ data: { ...event.data, quantityDone: 300 } }));

    const result = await verifyEventStore(store, 2);

    expect(result).toMatchObject({
      ok: false,
      firstBroken: {
        streamName: 'rectificationTask-a',
        revision: 2,
        position: edited.position,
        reason: 'hash-mismatch',
        found: edited.hash,
      },
    });
    expect(verifyStream(await store.readStream('rectificationTask-a'))).toMatchObject({
      ok: false,
      firstBroken: { revision: 2 },
    });
    expect(verifyStream(await store.readStream('rectificationTask-b')).ok).toBe(true);
  });

  it('catches an edit whose hash was recomputed at the next event: its link no longer holds', async () => {
    const store = await storeWithTwoStreams();
    const honest = await verifyStoredStream(store, 'rectificationTask-a');
    tamper(store, 0, (event) => ({
      metadata: { actor: 'someone-else' },
      hash: rehash(event, { actor: 'someone-else' }),
    }));

    expect(honest.ok).toBe(true);
    expect(await verifyStoredStream(store, 'rectificationTask-a')).toMatchObject({
      ok: false,
      firstBroken: { revision: 1, reason: 'broken-link', found: store.events[1]!.previousHash },
    });
  });

  it('catches a deleted event, and a changed type or revision', async () => {
    const deleted = await storeWithTwoStreams();
    deleted.events.splice(1, 1);
    expect(await verifyEventStore(deleted)).toMatchObject({
      ok: false,
      firstBroken: {
        streamName: 'rectificationTask-a',
        revision: 1,
        expected: '1',
        found: '2',
        reason: 'revision-gap',
      },
    });

    const retyped = await storeWithTwoStreams();
    tamper(retyped, 5, () => ({ type: 'RectificationTaskClosed' }));
    expect(await verifyEventStore(retyped)).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'rectificationTask-b', revision: 1 },
    });

    const moved = await storeWithTwoStreams();
    tamper(moved, 0, () => ({ revision: 1 }));
    expect(await verifyEventStore(moved)).toMatchObject({
      ok: false,
      firstBroken: { revision: 0, reason: 'revision-gap' },
    });
  });
});

/** The hash a forger would store for the first event of a stream with other metadata. */
function rehash(event: StoredEvent, metadata: unknown): string {
  return chainHash(
    null,
    0,
    contentDigest({ streamName: event.streamName, type: event.type, data: event.data, metadata, eventId: event.id }),
  );
}
