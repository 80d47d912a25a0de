/**
 * Whose turn it is to catch up, in one process: read models far behind the store (a new install on a restored store,
 * a rebuild after an upgrade) take turns rather than all reading and writing at once, most wanted first. On two
 * cores, five projections catching up together each ran at a fifth of their speed, so the deadline views were the
 * last to be ready, minutes after a start; in turns, the first in `order` is ready in about the time it takes alone.
 *
 * A projection that is live (its last page short) does not take a turn; one that falls behind by a full page takes
 * one, and gives it up when it is live again, or after a batch when one before it in `order` is waiting (so a long
 * rebuild of the audit never holds the tasks read model back by more than one batch).
 */
export class CatchUpTurns {
  private readonly rank: ReadonlyMap<string, number>;
  private readonly holders = new Set<string>();
  private readonly waiting: Waiter[] = [];
  private arrivals = 0;

  /**
   * @param order the names most wanted first (names not listed come after them, in the order they ask);
   * @param atOnce how many may catch up at the same time (default 1).
   */
  constructor(
    order: readonly string[],
    private readonly atOnce = 1,
  ) {
    if (!Number.isInteger(atOnce) || atOnce < 1) throw new RangeError('atOnce must be at least 1');
    this.rank = new Map(order.map((name, index) => [name, index]));
  }

  /**
   * Resolves once it is `name`'s turn (at once if it holds it already); rejects with `signal`'s reason when aborted
   * first.
   */
  async take(name: string, signal?: AbortSignal): Promise<void> {
    if (this.holders.has(name)) return;
    signal?.throwIfAborted();
    if (this.holders.size < this.atOnce && this.waiting.length === 0) {
      this.holders.add(name);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const aborted = () => {
        const index = this.waiting.indexOf(waiter);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(signal!.reason);
        this.handOn();
      };
      // The listener goes with the wait: a runner's signal lasts as long as the runner, and waits by the thousand
      // during a long catch-up would otherwise each leave one behind on it.
      const given = () => {
        signal?.removeEventListener('abort', aborted);
        resolve();
      };
      const waiter: Waiter = { name, rank: this.rankOf(name), arrival: this.arrivals++, resolve: given, reject };
      this.waiting.push(waiter);
      this.waiting.sort((a, b) => a.rank - b.rank || a.arrival - b.arrival);
      signal?.addEventListener('abort', aborted, { once: true });
      this.handOn();
    });
  }

  /**
   * Takes the turn at once if it is free (no one holds it or waits for it) and answers whether `name` holds it: a
   * runner starting far behind claims it before its first read, so that a less wanted one started a moment earlier or
   * later does not go first.
   */
  tryTake(name: string): boolean {
    if (!this.holders.has(name) && this.holders.size < this.atOnce && this.waiting.length === 0) this.holders.add(name);
    return this.holders.has(name);
  }

  holds(name: string): boolean {
    return this.holders.has(name);
  }

  /** Gives `name`'s turn up (nothing when it holds none). */
  give(name: string): void {
    if (this.holders.delete(name)) this.handOn();
  }

  /** `name` holds a turn and one more wanted than it waits: it should give its turn up after the batch in hand. */
  shouldYield(name: string): boolean {
    const first = this.waiting[0];
    return this.holders.has(name) && first !== undefined && first.rank < this.rankOf(name);
  }

  /** The names catching up now, and those waiting, in the order they will go. */
  status(): { readonly catchingUp: readonly string[]; readonly waiting: readonly string[] } {
    return { catchingUp: [...this.holders], waiting: this.waiting.map((w) => w.name) };
  }

  private rankOf(name: string): number {
    return this.rank.get(name) ?? this.rank.size;
  }

  private handOn(): void {
    while (this.holders.size < this.atOnce && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.holders.add(next.name);
      next.resolve();
    }
  }
}

interface Waiter {
  readonly name: string;
  readonly rank: number;
  readonly arrival: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}
