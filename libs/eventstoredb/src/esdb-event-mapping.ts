import { randomUUID } from 'node:crypto';
import {
  chainHash,
  contentDigest,
  type EventToAppend,
  type GlobalPosition,
  type StoredEvent,
} from '@zhenggai/application';
import {
  jsonEvent,
  START,
  type AllStreamResolvedEvent,
  type EventData,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { MissingPositionError } from './esdb-server-version';

/**
 * How the port's events live in EventStoreDB. The event's metadata is the port's metadata with, beside it:
 * - `$zg.previousHash` / `$zg.hash`: the hash chain (`hash-chain.ts`), stripped again when read;
 * - `$correlationId` / `$causationId`: copies of `correlationId` / `causationId` under the names the server's
 *   `$by_correlation_id` projection reads, listed in `$zg.derived` so that a read gives back exactly what
 *   was written.
 *
 * Positions: the port's GlobalPosition is the event's commit position in `$all`. Every event written without
 * an explicit transaction (the gRPC client has none) has commit = prepare position, unique and growing in
 * `$all` order, so the commit position alone orders events and finds them again. A stream read carries it
 * from EventStoreDB 22.6 on (`MINIMUM_SERVER_VERSION`); an event of ours that comes without it is refused.
 */
export const PREVIOUS_HASH_KEY = '$zg.previousHash';
export const HASH_KEY = '$zg.hash';
const DERIVED_KEY = '$zg.derived';
const DERIVED: ReadonlyArray<readonly [string, string]> = [
  ['correlationId', '$correlationId'],
  ['causationId', '$causationId'],
];

/** The events of one append, chained onto `previousHash` from revision `firstRevision`. */
export function chainedEvents(
  streamName: string,
  events: readonly EventToAppend[],
  ids: readonly string[],
  previousHash: string | null,
  firstRevision: number,
): EventData[] {
  let previous = previousHash;
  return events.map((event, index) => {
    const id = ids[index]!;
    const data = event.data ?? null;
    const metadata = event.metadata ?? {};
    const hash = chainHash(
      previous,
      firstRevision + index,
      contentDigest({ streamName, type: event.type, data, metadata, eventId: id }),
    );
    const stored = { ...metadata, ...derivedKeys(metadata), [PREVIOUS_HASH_KEY]: previous, [HASH_KEY]: hash };
    previous = hash;
    return jsonEvent({ id, type: event.type, data: data as never, metadata: stored });
  });
}

/** A new UUID for events without an id; ids are written lowercase, as the server gives them back. */
export function eventIds(events: readonly EventToAppend[]): string[] {
  return events.map((event) => (event.id ?? randomUUID()).toLowerCase());
}

function derivedKeys(metadata: Record<string, unknown>): Record<string, unknown> {
  const added: Record<string, unknown> = {};
  for (const [from, to] of DERIVED) {
    if (typeof metadata[from] === 'string' && !(to in metadata)) added[to] = metadata[from];
  }
  const keys = Object.keys(added);
  return keys.length > 0 ? { ...added, [DERIVED_KEY]: keys } : {};
}

/**
 * The port's view of a read event; `null` for what is not one of ours to hand out: system events (`$` types,
 * which a real server writes into `$all`), links. Throws `MissingPositionError` for an event without its
 * `$all` position: handed out at some made-up place, it would be ordered wrongly.
 */
export function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
  const event = resolved.event;
  if (!event || event.type.startsWith('$')) return null;
  const position = commitPositionOf(resolved);
  if (position === null) throw new MissingPositionError(event.streamId, event.revision);
  const { metadata, previousHash, hash } = splitMetadata(event.metadata);
  return {
    id: event.id,
    streamName: event.streamId,
    revision: Number(event.revision),
    position,
    type: event.type,
    data: event.data,
    metadata,
    recordedAt: event.created.toISOString(),
    previousHash,
    // An event without a hash was not appended through this adapter: '' never verifies, so verification names it.
    hash,
  };
}

/**
 * "No position" on the wire: servers before 22.6 send it for every event of a stream read (and later ones for
 * an event written in a TCP transaction); the client hands it on as a number.
 */
const NO_POSITION = 2n ** 64n - 1n;

/**
 * A read event's commit position in `$all`; `null` when the server gave none. 0 counts as none: it is what the
 * client reads when the field was not sent at all, and no event of a real log lies there (the log starts with
 * the server's own records).
 */
export function commitPositionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): GlobalPosition | null {
  for (const candidate of [
    resolved.event?.position?.commit,
    (resolved as { commitPosition?: bigint }).commitPosition,
  ]) {
    if (candidate !== undefined && candidate > 0n && candidate !== NO_POSITION) return candidate;
  }
  return null;
}

function splitMetadata(stored: unknown): {
  metadata: Record<string, unknown>;
  previousHash: string | null;
  hash: string;
} {
  if (stored === null || typeof stored !== 'object' || stored instanceof Uint8Array)
    return { metadata: {}, previousHash: null, hash: '' };
  const {
    [PREVIOUS_HASH_KEY]: previousHash,
    [HASH_KEY]: hash,
    [DERIVED_KEY]: derived,
    ...metadata
  } = stored as Record<string, unknown>;
  if (Array.isArray(derived)) for (const key of derived) delete metadata[key as string];
  return {
    metadata,
    previousHash: typeof previousHash === 'string' ? previousHash : null,
    hash: typeof hash === 'string' ? hash : '',
  };
}

/** Where a read or subscription of `$all` starts for "after this position" (0n: from the start). */
export function positionOf(after: GlobalPosition): Position | typeof START {
  return after === 0n ? START : { commit: after, prepare: after };
}
