import { AppendResult, EventToAppend, ExpectedRevision } from '../event-store/event-store.port';
import { InMemoryEventStore } from './in-memory-event-store';

/**
 * A store whose next append to a stream can be made to fail, or to let another writer in first: a fault at one step.
 */
export class StoreWithFaults extends InMemoryEventStore {
  private fault: { stream: string; run: () => Promise<void> } | null = null;

  /** The next append to `stream` first runs `run` (which may throw, or append something itself). */
  beforeNextAppendTo(stream: string, run: () => Promise<void>): void {
    this.fault = { stream, run };
  }

  override async appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    const fault = this.fault?.stream === streamName ? this.fault : null;
    if (fault) {
      this.fault = null;
      await fault.run();
    }
    return super.appendToStream(streamName, events, options);
  }
}
