import type { EventStore, GlobalPosition, StoredEvent } from './event-store.port';
import { chainHash, contentDigest } from './hash-chain';

/**
 * - `hash-mismatch`: the event is not what was appended (its content, revision or stored hash changed);
 *   `expected` is the hash recomputed from what is stored, `found` the stored hash.
 * - `broken-link`: the event does not chain onto the stream's previous event (`expected` is that event's
 *   hash, null for the first event; `found` the stored `previousHash`).
 * - `revision-gap`: an event is missing or out of place; `revision` is the one expected there, `found` the one
 *   that came instead.
 * - `end-mismatch`: the stream's last event is not at the revision the store records for it: events were removed
 *   from its end (or added behind the store's back), which leaves no gap in the chain; `revision` is the one after
 *   the last event, `expected` the recorded revision, `found` that of the last event (null: none).
 */
export type ChainBreakReason = 'hash-mismatch' | 'broken-link' | 'revision-gap' | 'end-mismatch';

export interface ChainBreak {
  readonly streamName: string;
  readonly revision: number;
  /** The position of the stored event at which the break shows. */
  readonly position: GlobalPosition;
  readonly expected: string | null;
  readonly found: string | null;
  readonly reason: ChainBreakReason;
}

/** What was checked: the streams and events seen up to the first break, if there is one. */
export type ChainVerification =
  | { readonly ok: true; readonly streams: number; readonly events: number }
  | { readonly ok: false; readonly streams: number; readonly events: number; readonly firstBroken: ChainBreak };

const DEFAULT_PAGE_SIZE = 1000;

/** Checks the events of one stream, as read in revision order from its start (see `hash-chain.ts`). */
export function verifyStream(events: readonly StoredEvent[]): ChainVerification {
  const walk = new ChainWalk();
  for (const event of events) if (walk.check(event)) break;
  return walk.result();
}

/** Checks one stream of a store, reading it a page at a time. */
export async function verifyStoredStream(
  store: EventStore,
  streamName: string,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<ChainVerification> {
  const walk = new ChainWalk();
  let last: StoredEvent | undefined;
  for (let fromRevision = 0; ;) {
    const page = await store.readStream(streamName, { fromRevision, maxCount: pageSize });
    for (const event of page) if (walk.check(event)) return walk.result();
    last = page[page.length - 1] ?? last;
    if (page.length < pageSize) break;
    fromRevision = last!.revision + 1;
  }
  const recorded = store.recordedRevision ? await store.recordedRevision(streamName) : null;
  if (recorded !== null && recorded !== (last?.revision ?? -1)) {
    const found = last ? String(last.revision) : null;
    walk.breakAt({
      streamName,
      revision: (last?.revision ?? -1) + 1,
      position: last?.position ?? 0n,
      expected: String(recorded),
      found,
      reason: 'end-mismatch',
    });
  }
  return walk.result();
}

/**
 * Checks every stream of a store in one pass over all events in position order, a page at a time: memory
 * holds one page and each stream's last revision and hash. Stops at the first break.
 */
export async function verifyEventStore(store: EventStore, pageSize = DEFAULT_PAGE_SIZE): Promise<ChainVerification> {
  const walk = new ChainWalk();
  for (let after = 0n; ;) {
    // Everything committed now, not only what a subscription may take yet: a long transaction elsewhere on the
    // server must not hide a tampered event from the audit.
    const page = store.readAllCommitted
      ? await store.readAllCommitted({ after, maxCount: pageSize })
      : await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) return walk.result();
    for (const event of page) if (walk.check(event)) return walk.result();
    after = page[page.length - 1]!.position;
  }
}

/** Follows any number of streams, event by event, each stream's events in revision order. */
class ChainWalk {
  private readonly heads = new Map<string, { readonly revision: number; readonly hash: string }>();
  private events = 0;
  private broken: ChainBreak | undefined;

  /** Checks the next event of its stream; true when it breaks the chain. */
  check(event: StoredEvent): boolean {
    this.events++;
    const head = this.heads.get(event.streamName);
    const expectedRevision = head ? head.revision + 1 : 0;
    const previousHash = head?.hash ?? null;
    const at = { streamName: event.streamName, revision: event.revision, position: event.position };
    if (event.revision !== expectedRevision) {
      this.broken = {
        ...at,
        revision: expectedRevision,
        expected: String(expectedRevision),
        found: String(event.revision),
        reason: 'revision-gap',
      };
    } else if ((event.previousHash ?? null) !== previousHash) {
      this.broken = { ...at, expected: previousHash, found: event.previousHash ?? null, reason: 'broken-link' };
    } else {
      const hash = chainHash(previousHash, event.revision, digestOf(event));
      if (event.hash !== hash)
        this.broken = { ...at, expected: hash, found: event.hash ?? null, reason: 'hash-mismatch' };
      else this.heads.set(event.streamName, { revision: event.revision, hash });
    }
    return this.broken !== undefined;
  }

  /** A break found outside the walk (by comparing with what the store records). */
  breakAt(broken: ChainBreak): void {
    this.broken ??= broken;
  }

  result(): ChainVerification {
    const brokenStream = this.broken && !this.heads.has(this.broken.streamName) ? 1 : 0;
    const counts = { streams: this.heads.size + brokenStream, events: this.events };
    return this.broken ? { ok: false, ...counts, firstBroken: this.broken } : { ok: true, ...counts };
  }
}

/** The digest of what is stored; content JSON cannot hold (a store gave back something odd) counts as changed. */
function digestOf(event: StoredEvent): string {
  try {
    return contentDigest({
      streamName: event.streamName,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      eventId: event.id,
    });
  } catch {
    return 'unhashable';
  }
}
