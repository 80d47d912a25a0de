/**
 * The last state this process saw of recently written streams, so that the next command on the same stream
 * can skip reading it. Safe across processes: the append still names the revision the state was folded from,
 * so a stale entry only causes a concurrency error, after which the command is decided again on a fresh read
 * (see `decideAndAppend`). Bounded: the least recently used entries go first.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, { readonly state: unknown; readonly revision: number }>();

  constructor(private readonly capacity = 10_000) {}

  get<S>(streamName: string): { state: S; revision: number } | undefined {
    const entry = this.entries.get(streamName);
    if (!entry) return undefined;
    this.entries.delete(streamName);
    this.entries.set(streamName, entry);
    return entry as { state: S; revision: number };
  }

  set(streamName: string, state: unknown, revision: number): void {
    this.entries.delete(streamName);
    this.entries.set(streamName, { state, revision });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /**
   * The stream's new state, if it is kept (in its place: a write in bulk, such as the reminder levels of a catch-up, is
   * no sign that the stream is about to be commanded); nothing is added.
   */
  refresh(streamName: string, state: unknown, revision: number): void {
    if (this.entries.has(streamName)) this.entries.set(streamName, { state, revision });
  }

  forget(streamName: string): void {
    this.entries.delete(streamName);
  }

  get size(): number {
    return this.entries.size;
  }
}
