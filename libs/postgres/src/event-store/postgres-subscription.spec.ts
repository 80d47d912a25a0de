import type { GlobalPosition } from '@zhenggai/application';
import { countedEvents } from '../../../../test/support/counted-events';
import { PostgresSubscription, SubscriptionSource } from './postgres-subscription';

/** A store of `head` events, read in pages; records each read's `after`. */
function source(head: number, reads: GlobalPosition[]): SubscriptionSource {
  return {
    read: async (after, limit) => {
      reads.push(after);
      const from = Number(after) + 1;
      const events = countedEvents(Math.max(0, Math.min(limit, head - from + 1)), from);
      return { events, highWater: BigInt(head) };
    },
    onWake: () => async () => undefined,
    pollIntervalMs: 60_000,
  };
}

describe('a PostgreSQL subscription far behind the store', () => {
  it('reads the next full page while its handler works on this one, and hands the pages over in order', async () => {
    const reads: GlobalPosition[] = [];
    const handled: number[][] = [];
    let release!: () => void;
    const firstHandled = new Promise<void>((resolve) => (release = resolve));
    const subscription = new PostgresSubscription(
      source(25, reads),
      async (events) => {
        handled.push(events.map((e) => Number(e.position)));
        if (handled.length === 1) await firstHandled;
      },
      { batchSize: 10 },
    );

    // while the first page is in the handler, the second has been asked for
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled).toHaveLength(1);
    expect(reads).toEqual([0n, 10n]);

    release();
    for (let i = 0; i < 20 && handled.length < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    await subscription.stop();
    expect(handled.map((page) => [page[0], page.at(-1)])).toEqual([
      [1, 10],
      [11, 20],
      [21, 25],
    ]);
    // the short last page is read once: nothing is read ahead of it
    expect(reads.slice(0, 3)).toEqual([0n, 10n, 20n]);
  });

  it('ends when its handler fails, and the page read ahead meanwhile goes nowhere', async () => {
    const reads: GlobalPosition[] = [];
    const failures: unknown[] = [];
    const subscription = new PostgresSubscription(
      source(25, reads),
      async () => {
        throw new Error('handler failed');
      },
      { batchSize: 10, onError: (error) => failures.push(error) },
    );

    await subscription.stopped;

    expect(failures).toEqual([new Error('handler failed')]);
    expect(reads).toEqual([0n, 10n]);
  });
});
