/**
 * A timed wait that something else may end early: a loop's sleep that an append, a lost lease or `stop()` cuts
 * short. One wait at a time.
 */
export class InterruptibleWait {
  private ending: (() => void) | undefined;

  /** Resolves after `ms` (a timer, so even 0 yields to the event loop), or as soon as `end()` is called. */
  for(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.ending = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.ending = done;
    });
  }

  /** Ends the wait in progress, if any. */
  end(): void {
    this.ending?.();
  }
}
