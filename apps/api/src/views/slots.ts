/**
 * At most `size` holders at once; the others wait their turn, first come first served. `take` resolves with the
 * function that gives the slot back (calling it again does nothing).
 */
export class Slots {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  async take(): Promise<() => void> {
    if (this.held < this.size) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // handed over by the one giving it back
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    };
  }

  /** How many wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
