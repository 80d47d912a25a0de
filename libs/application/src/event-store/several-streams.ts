import { EventStore, StoredEvent, StreamAppend, StreamAppendOutcome } from './event-store.port';
import { StoreUnavailableError } from './store-errors';

/** How many streams are appended to or read at once where the store takes them one at a time. */
const ONE_AT_A_TIME_LANES = 8;

/**
 * Appends to several streams: in one call where the store has `appendToStreams`, else stream by stream, a few at once,
 * with the same outcomes (a refused stream does not stop the others; a store that does not answer throws).
 */
export async function appendToEach(
  store: EventStore,
  appends: readonly StreamAppend[],
): Promise<StreamAppendOutcome[]> {
  if (appends.length === 0) return [];
  if (store.appendToStreams) return store.appendToStreams(appends);
  return appendStreamByStream(store, appends);
}

/**
 * The same, by `appendToStream` on each stream, a few at once: for stores without an append to several streams, and for
 * one whose append to several failed as a whole, to learn each stream's own outcome.
 */
export function appendStreamByStream(
  store: Pick<EventStore, 'appendToStream'>,
  appends: readonly StreamAppend[],
): Promise<StreamAppendOutcome[]> {
  return inLanes(appends, async ({ streamName, events, expectedRevision }): Promise<StreamAppendOutcome> => {
    try {
      return { ok: true, result: await store.appendToStream(streamName, events, { expectedRevision }) };
    } catch (error) {
      if (error instanceof StoreUnavailableError || !(error instanceof Error)) throw error;
      return { ok: false, error };
    }
  });
}

/** Several streams' events: in one call where the store has `readStreams`, else stream by stream, a few at once. */
export async function readEach(
  store: EventStore,
  streamNames: readonly string[],
): Promise<ReadonlyMap<string, StoredEvent[]>> {
  const names = [...new Set(streamNames)];
  if (names.length === 0) return new Map();
  if (store.readStreams) return store.readStreams(names);
  const read = await inLanes(names, (name) => store.readStream(name));
  return new Map(names.map((name, i) => [name, read[i]!]));
}

async function inLanes<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ONE_AT_A_TIME_LANES, items.length) }, lane));
  return results;
}
