import type { GlobalPosition, LeaveOutKeys, StoredEvent } from '../event-store/event-store.port';

/** A page of events for a projection, and how far it lets the projection's checkpoint move. */
export interface ProjectionEventPage {
  /** Matching events after the requested position, in position order. */
  readonly events: StoredEvent[];
  /**
   * The highest position a reader may move to: every event at or below it that will ever be readable is
   * readable now. With fewer events than asked for, the reader has seen everything up to here.
   */
  readonly highWater: GlobalPosition;
}

/**
 * Where projection runners and rebuilds read events from. The PostgreSQL projection code reads its own
 * event store directly (inside its transactions) unless given one of these; other event stores provide one.
 */
export interface ProjectionEventSource {
  readPage(query: {
    after: GlobalPosition;
    limit: number;
    eventTypePrefixes?: readonly string[];
    /** Keys of the events' data the projection never reads, which the source may leave out (`LeaveOutKeys`). */
    leaveOutKeys?: LeaveOutKeys;
  }): Promise<ProjectionEventPage>;
  /** The highest position readers can see now. */
  readHead(): Promise<GlobalPosition>;
  /**
   * How many events at or below `through` match the prefixes, for progress reports; `null` when it cannot tell cheaply.
   */
  countEvents(query: { through: GlobalPosition; eventTypePrefixes?: readonly string[] }): Promise<number | null>;
  /**
   * Calls `onAppended` soon after events are appended anywhere, so that an idle runner reads at once instead of at
   * its next poll; the returned function stops that. Optional: without it, runners poll.
   */
  watch?(onAppended: () => void): () => void;
}
