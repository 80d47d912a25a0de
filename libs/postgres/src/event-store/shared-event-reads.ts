import { takesEventType, type GlobalPosition, type LeaveOutKeys, type StoredEvent } from '@zhenggai/application';
import type { VisibleEventsPage } from './visible-events.query';

export interface SharedEventReadsOptions {
  /** Reads the visible events after `after` (every type without prefixes), as `readVisibleEvents` does. */
  readonly read: (
    after: GlobalPosition,
    limit: number,
    eventTypePrefixes?: readonly string[],
    leaveOutKeys?: LeaveOutKeys,
  ) => Promise<VisibleEventsPage>;
  /** Calls `appended` whenever events may have been appended; the returned function stops that. */
  readonly onAppended: (appended: () => void) => () => void;
  /** Milliseconds since some fixed instant (default `performance.now`). */
  readonly now?: () => number;
  /** The most events kept; default 2,000 (about a second of the write benchmark's appends). */
  readonly maxEvents?: number;
  /** The most events one query reads; default 1,000. */
  readonly readLimit?: number;
  /**
   * With nothing appended since, what was read this long ago still answers; default 100 ms. (An event can also become
   * readable when an older transaction ends, which nobody announces: the readers' polls find it, this much later.)
   */
  readonly maxAgeMs?: number;
  /** The least time between two queries; default 20 ms. A read that needs a fresher one meanwhile waits for it. */
  readonly minIntervalMs?: number;
}

const DEFAULT_MAX_EVENTS = 2_000;
const DEFAULT_READ_LIMIT = 1_000;
const DEFAULT_MAX_AGE_MS = 100;
const DEFAULT_MIN_INTERVAL_MS = 20;

/**
 * The store's newest events, read once for every reader of the process near the head (the read models' runners and the
 * reactions, about a dozen): each used to read, and parse, each event for itself.
 *
 * - It keeps the events of every type after `base` up to `highWater`, in position order: each query reads on from
 *   `highWater`, and a query's high-water mark guarantees that nothing at or below it becomes readable later, so the
 *   events kept are every event there will ever be in that range.
 * - A reader asking for events after a position in that range gets them from memory, filtered by its type prefixes. If
 *   something was appended since the last query (or that query is older than `maxAgeMs`), it first waits for the next
 *   query, which starts after it asked: it never gets an answer older than its question. Queries start at most every
 *   `minIntervalMs`; the readers that ask meanwhile share the next one.
 * - A reader further behind (catching up) reads for itself, with its own type filter, as before. The range starts
 *   where the first reader to catch up found the store's head, and moves on as the oldest events are let go
 *   (`maxEvents`).
 */
export class SharedEventReads {
  private readonly now: () => number;
  private readonly maxEvents: number;
  private readonly readLimit: number;
  private readonly maxAgeMs: number;
  private readonly minIntervalMs: number;

  /** Null until a reader first catches up: nothing is kept before that. */
  private base: GlobalPosition | null = null;
  private events: StoredEvent[] = [];
  private highWater: GlobalPosition = 0n;
  /** The last query came back short: nothing readable lies beyond `highWater` as of that query. */
  private atHead = true;

  /** Counts the appends announced. */
  private appends = 0;
  /** `appends` when the last completed query started, and when it started. */
  private readAtAppends = -1;
  private readAt = -Infinity;
  private lastStartedAt = -Infinity;
  /** The query in flight, and the next one, which starts once that one is done and `minIntervalMs` has passed. */
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private stopListening: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: SharedEventReadsOptions) {
    this.now = options.now ?? (() => performance.now());
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.readLimit = options.readLimit ?? DEFAULT_READ_LIMIT;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  }

  /**
   * The events after `after` of the given types (all without prefixes), at most `limit`, as `readVisibleEvents`. The
   * keys a reader leaves out are left out of what it reads for itself; the events kept are handed over whole.
   */
  async read(
    after: GlobalPosition,
    limit: number,
    eventTypePrefixes?: readonly string[],
    leaveOutKeys?: LeaveOutKeys,
  ): Promise<VisibleEventsPage> {
    if (this.base === null || after < this.base || this.closed) {
      const page = await this.options.read(after, limit, eventTypePrefixes, leaveOutKeys);
      // Caught up: from here on, what this reader and the others ask for is kept.
      if (page.events.length < limit) this.startAt(page.highWater);
      return page;
    }
    if (this.stale(after)) await this.nextRead();
    for (;;) {
      // Let go of meanwhile, or closed.
      if (after < this.base || this.closed) return this.options.read(after, limit, eventTypePrefixes, leaveOutKeys);
      const events = this.kept(after, limit, eventTypePrefixes);
      if (events.length === limit || this.atHead) return { events, highWater: this.highWater };
      // More is readable than one query read: read on (a burst of appends).
      await this.nextRead();
    }
  }

  /** Stops listening for appends; later reads go to the store each. */
  close(): void {
    this.closed = true;
    this.events = [];
    this.stopListening?.();
    this.stopListening = null;
  }

  private startAt(highWater: GlobalPosition): void {
    if (this.base !== null || this.closed) return;
    this.base = this.highWater = highWater;
    this.atHead = true;
    this.stopListening = this.options.onAppended(() => this.appends++);
  }

  /** Whether a reader asking now needs a query that starts after its question. */
  private stale(after: GlobalPosition): boolean {
    return after > this.highWater || this.appends !== this.readAtAppends || this.now() - this.readAt >= this.maxAgeMs;
  }

  /** The events kept after `after` that the prefixes take, at most `limit`. */
  private kept(after: GlobalPosition, limit: number, eventTypePrefixes?: readonly string[]): StoredEvent[] {
    const events = this.events;
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (events[middle]!.position <= after) low = middle + 1;
      else high = middle;
    }
    const taken: StoredEvent[] = [];
    for (let i = low; i < events.length && taken.length < limit; i++) {
      if (takesEventType(eventTypePrefixes, events[i]!.type)) taken.push(events[i]!);
    }
    return taken;
  }

  /** The next query, which starts after this call (shared by every reader asking before it starts). */
  private nextRead(): Promise<void> {
    this.next ??= this.readAfter(this.running);
    return this.next;
  }

  private async readAfter(previous: Promise<void> | null): Promise<void> {
    // (Awaited even when there is none: `nextRead` has set `next` before this goes on.)
    await previous?.catch(() => undefined);
    const wait = this.lastStartedAt + this.minIntervalMs - this.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Started: readers asking from now on need the one after.
    this.next = null;
    const running = this.readOn();
    this.running = running;
    try {
      await running;
    } finally {
      if (this.running === running) this.running = null;
    }
  }

  /** One query: the events after `highWater`, kept; the oldest let go beyond `maxEvents`. */
  private async readOn(): Promise<void> {
    const startedAt = (this.lastStartedAt = this.now());
    const appends = this.appends;
    const page = await this.options.read(this.highWater, this.readLimit);
    if (this.closed) return;
    const full = page.events.length === this.readLimit;
    for (const event of page.events) this.events.push(event);
    const last = page.events[page.events.length - 1]?.position;
    this.highWater = full ? last! : page.highWater > this.highWater ? page.highWater : this.highWater;
    this.atHead = !full;
    this.readAt = startedAt;
    this.readAtAppends = appends;
    const over = this.events.length - this.maxEvents;
    if (over > 0) {
      this.base = this.events[over - 1]!.position;
      this.events = this.events.slice(over);
    }
  }
}
