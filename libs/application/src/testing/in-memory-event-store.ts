import { ConcurrencyError } from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  Subscription,
} from '../event-store/event-store.port';
import { chainHash, contentDigest } from '../event-store/hash-chain';

/** A store in memory for unit tests of the application layer; counts reads so tests can see them saved. */
export class InMemoryEventStore implements EventStore {
  readonly events: StoredEvent[] = [];
  streamReads = 0;

  async appendToStream(streamName: string, events: readonly EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const stream = this.events.filter((e) => e.streamName === streamName);
    const current = stream.length - 1;
    const expected = options.expectedRevision ?? 'any';
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      expected === current;
    if (!ok) throw new ConcurrencyError(streamName, String(expected), String(current));
    let previousHash = stream[current]?.hash ?? null;
    const stored = events.map((event, i): StoredEvent => {
      const id = event.id ?? randomUUID();
      const revision = current + 1 + i;
      const hash = chainHash(previousHash, revision, contentDigest({ streamName, type: event.type, data: event.data, metadata: event.metadata, eventId: id }));
      const storedEvent = {
        id,
        streamName,
        revision,
        position: BigInt(this.events.length + 1 + i),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: new Date(0).toISOString(),
        previousHash,
        hash,
      };
      previousHash = hash;
      return storedEvent;
    });
    this.events.push(...stored);
    return { nextExpectedRevision: current + events.length, position: BigInt(this.events.length) };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.streamReads++;
    return this.events.filter((e) => e.streamName === streamName && e.revision >= (options.fromRevision ?? 0)).slice(0, options.maxCount);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.events.filter((e) => e.position > (options.after ?? 0n)).slice(0, options.maxCount);
  }

  subscribeToAll(): Subscription {
    throw new Error('not needed in unit tests');
  }

  async close(): Promise<void> {}
}
