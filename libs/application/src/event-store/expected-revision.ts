import type { ExpectedRevision, Subscription } from './event-store.port';

/** An expected revision as adapters check it: `-1` (`NO_STREAM_REVISION`) already turned into `no_stream`. */
export type CheckedExpectedRevision = Exclude<ExpectedRevision, -1>;

/** Revision -1 (`NO_STREAM_REVISION`) means `no_stream`; other numbers must be revisions (a RangeError otherwise). */
export function normaliseExpectedRevision(expected: ExpectedRevision): CheckedExpectedRevision {
  if (typeof expected !== 'number') return expected;
  if (expected === -1) return 'no_stream';
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`expected revision must be an integer >= -1, got ${expected}`);
  }
  return expected;
}

/** The subscriptions an adapter handed out that have not stopped yet, so that its `close()` can stop them. */
export class RunningSubscriptions {
  private readonly running = new Set<Subscription>();

  track<S extends Subscription>(subscription: S): S {
    this.running.add(subscription);
    void subscription.stopped.then(() => this.running.delete(subscription));
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((subscription) => subscription.stop()));
  }
}
