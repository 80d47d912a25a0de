/**
 * What both event store adapters need alike: expected revisions checked, subscriptions tracked and their failures
 * reported.
 */
import type { ExpectedRevision, SubscribeOptions, Subscription } from './event-store.port';

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

/**
 * Tells a subscription's `onError` why it stopped, or, without one, emits a process warning: a failing
 * subscription must be noticed. An `onError` that throws must not turn `stopped` into a rejected promise.
 */
export function reportSubscriptionFailure(options: SubscribeOptions, error: unknown): void {
  try {
    if (options.onError) return options.onError(error);
  } catch {
    return;
  }
  process.emitWarning(`event store subscription stopped: ${error instanceof Error ? error.stack : String(error)}`);
}
