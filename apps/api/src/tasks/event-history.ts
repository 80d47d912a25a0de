import { StoredEvent } from '@zhenggai/application';
import { eventUpcasters, UpcasterRegistry } from '@zhenggai/domain';

/** One event of a stream as its history shows it. */
export interface HistoryEntry {
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly data: unknown;
  readonly actor: unknown;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** The event's link in its stream's hash chain (GET /api/audit/verify checks it). */
  readonly previousHash: string | null;
  readonly hash: string;
}

/**
 * A stream's events as its history shows them: each in its newest shape (`eventUpcasters`, or the registry given),
 * as loading the stream and the projections read it; the hash and its link stay those of the event as stored.
 */
export function historyOf(
  events: readonly StoredEvent[],
  upcasters: UpcasterRegistry = eventUpcasters,
): HistoryEntry[] {
  return upcasters.upcastAll(events).map((event) => ({
    revision: event.revision,
    position: event.position.toString(),
    type: event.type,
    data: event.data,
    actor: event.metadata?.actor ?? null,
    occurredAt: event.metadata?.occurredAt ?? event.recordedAt,
    recordedAt: event.recordedAt,
    correlationId: event.metadata?.correlationId ?? null,
    causationId: event.metadata?.causationId ?? null,
    previousHash: event.previousHash,
    hash: event.hash,
  }));
}
