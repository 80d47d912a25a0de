import type { StoredEvent } from '@zhenggai/application';
import { types, type CustomTypesConfig } from 'pg';

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
  /** As PostgreSQL writes it (read with `STORED_EVENT_TYPES`), or parsed by the driver's default. */
  readonly recorded_at: string | Date;
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
    recordedAt: typeof row.recorded_at === 'string' ? isoOfTimestamp(row.recorded_at) : row.recorded_at.toISOString(),
    previousHash: row.previous_hash,
    // A row without a hash was not appended through the store: '' never verifies, so verification names it.
    hash: row.hash ?? '',
  };
}

const TIMESTAMPTZ_OID = 1184;
const parseTimestamp = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;
const asText = (text: string) => text;

/**
 * The driver's parsers for a read of events, but for `recorded_at`, left as PostgreSQL's text: the driver's parsing of
 * a timestamp into a `Date`, which `toStoredEvent` turns into text again, cost 1.6 µs an event, an event read by every
 * read model and reaction (a catch-up of a million tasks parses some 25 million).
 */
export const STORED_EVENT_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? asText
      : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/** A `timestamptz` as PostgreSQL writes it in UTC (`2026-12-07 01:09:32.123456+00`): its date, time and seconds. */
const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A `timestamptz` written by PostgreSQL, as `Date.toISOString` writes it (milliseconds, the rest cut off, as the
 * driver's `Date` cuts it): rearranged when the session's time zone is UTC, parsed otherwise.
 */
export function isoOfTimestamp(text: string): string {
  const utc = UTC_TIMESTAMP.exec(text);
  if (utc === null) return parseTimestamp(text).toISOString();
  return `${utc[1]}T${utc[2]}.${utc[3] === undefined ? '000' : `${utc[3]}00`.slice(0, 3)}Z`;
}
