import type { EventStore, GlobalPosition } from '@zhenggai/application';

/**
 * Waits until `readAll` shows every event committed so far. PostgreSQL's `readAll` holds an event back while any
 * transaction older than the event's own runs anywhere on the database server: on the server the test files and
 * other work share, a test that reads or projects straight after its appends may see none of them. The signal is
 * the store's own subscription reaching the committed head. Stores that hold nothing back (no `readAllCommitted`)
 * have nothing to wait for.
 */
export async function everyEventReadable(store: EventStore): Promise<void> {
  if (!store.readAllCommitted) return;
  const head = await committedHead(store);
  if (head === 0n) return;
  let failed!: (error: unknown) => void;
  let reached!: () => void;
  const headReached = new Promise<void>((resolve, reject) => {
    reached = resolve;
    failed = reject;
  });
  const subscription = store.subscribeToAll(
    async (events) => {
      if (events[events.length - 1]!.position >= head) reached();
    },
    { after: head - 1n, onError: (error) => failed(error) },
  );
  try {
    await headReached;
  } finally {
    await subscription.stop();
  }
}

async function committedHead(store: EventStore): Promise<GlobalPosition> {
  let head = 0n;
  for (;;) {
    const page = await store.readAllCommitted!({ after: head, maxCount: 1_000 });
    if (page.length === 0) return head;
    head = page[page.length - 1]!.position;
  }
}
