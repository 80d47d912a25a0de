import type { ProjectionEventPage, ProjectionEventSource, Subscription } from '@zhenggai/application';
import type { EsdbEventStore } from './esdb-event-store';

/**
 * Projection runners read EventStoreDB through the store: a page of `$all` after the checkpoint, with the head
 * read first as the high-water mark (what the server shows is committed: nothing below the head can appear later).
 */
export class EsdbProjectionSource implements ProjectionEventSource {
  private readonly watchers = new Set<() => void>();
  private watching: Promise<Subscription | null> | null = null;

  constructor(private readonly store: EsdbEventStore) {}

  /** One live subscription (from the head) per source wakes every watcher; it stops when the last watcher goes. */
  watch(onAppended: () => void): () => void {
    this.watchers.add(onAppended);
    this.watching ??= this.store.readHead().then(
      (after) =>
        this.store.subscribeToAll(async () => this.watchers.forEach((wake) => wake()), { after, batchSize: 1000 }),
      () => null,
    );
    return () => {
      this.watchers.delete(onAppended);
      if (this.watchers.size > 0 || !this.watching) return;
      const watching = this.watching;
      this.watching = null;
      void watching.then((subscription) => subscription?.stop());
    };
  }

  async readPage(query: {
    after: bigint;
    limit: number;
    eventTypePrefixes?: readonly string[];
  }): Promise<ProjectionEventPage> {
    const head = await this.store.readHead();
    const events = await this.store.readAll({
      after: query.after,
      maxCount: query.limit,
      eventTypePrefixes: query.eventTypePrefixes,
    });
    const last = events[events.length - 1]?.position ?? 0n;
    return { events, highWater: last > head ? last : head };
  }

  readHead(): Promise<bigint> {
    return this.store.readHead();
  }

  /** Counting would mean reading the whole of `$all`: progress reports go without a total. */
  async countEvents(): Promise<number | null> {
    return null;
  }
}
