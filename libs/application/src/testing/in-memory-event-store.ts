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

/** A store in memory for unit tests of the application layer; counts reads so tests can see them saved. */
export class InMemoryEventStore implements EventStore {
  readonly events: StoredEvent[] = [];
  streamReads = 0;

  async appendToStream(streamName: string, events: readonly EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const current = this.events.filter((e) => e.streamName === streamName).length - 1;
    const expected = options.expectedRevision ?? 'any';
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      expected === current;
    if (!ok) throw new ConcurrencyError(streamName, String(expected), String(current));
    events.forEach((event, i) =>
      this.events.push({
        id: event.id ?? randomUUID(),
        streamName,
        revision: current + 1 + i,
        position: BigInt(this.events.length + 1),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: new Date(0).toISOString(),
      }),
    );
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
