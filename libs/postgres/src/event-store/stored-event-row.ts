import type { StoredEvent } from '@zhenggai/application';

/** The columns every read selects, in the shape `toStoredEvent` maps. */
export const STORED_EVENT_COLUMNS =
  'global_position, stream_name, stream_revision, event_id, type, data, metadata, recorded_at, previous_hash, hash';

export interface StoredEventRow {
  readonly global_position: string;
  readonly stream_name: string;
  readonly stream_revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recorded_at: Date;
  readonly previous_hash: string | null;
  /** Null only for a row written around `append_to_stream`. */
  readonly hash: string | null;
}

/** `pg` returns int8 as a string (it may not fit a double): positions become bigint, revisions numbers. */
export function toStoredEvent(row: StoredEventRow): StoredEvent {
  return {
    id: row.event_id,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    position: BigInt(row.global_position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
    previousHash: row.previous_hash,
    // A row without a hash was not appended through the store: '' never verifies, so verification names it.
    hash: row.hash ?? '',
  };
}
