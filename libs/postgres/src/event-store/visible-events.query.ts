import type { GlobalPosition, LeaveOutKeys, ProjectionEventSource, StoredEvent } from '@zhenggai/application';
import type { Pool, PoolClient } from 'pg';
import { STORED_EVENT_COLUMNS, STORED_EVENT_TYPES, toStoredEvent, type StoredEventRow } from './stored-event-row';

export interface VisibleEventsPage {
  /** Matching events after the requested position, in position order. */
  readonly events: StoredEvent[];
  /**
   * The highest position a reader may move to: every event at or below it that will ever be readable is
   * readable now. With fewer events than asked for, the reader has seen everything up to here.
   */
  readonly highWater: GlobalPosition;
}

// An event is handed out only once its transaction is older than every running transaction, so a
// transaction that took a lower position but commits later can never be passed (appends keep positions
// in transaction-id order). Both parts use the statement's snapshot, so the high-water mark matches the
// page. (The horizon is written out twice rather than joined: as a join, max() cannot use the index.) The keys a
// reader leaves out ($4, `LeaveOutKeys`) are taken out of the data here, so that they are neither sent nor parsed.
const SQL = `
  WITH high_water AS MATERIALIZED (
    SELECT coalesce(max(global_position), 0) AS position
    FROM events
    WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  )
  SELECT w.position AS high_water, page.*
  FROM high_water w
  LEFT JOIN LATERAL (
    SELECT ${STORED_EVENT_COLUMNS.replace(
      ' data,',
      ' CASE WHEN $4::text[] IS NOT NULL AND e.data ?| $4::text[] THEN e.data - $4::text[] ELSE e.data END AS data,',
    )}
    FROM events e
    WHERE e.global_position > $1
      AND e.global_position <= w.position
      AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      AND ($3::text[] IS NULL OR e.type LIKE ANY ($3::text[]))
    ORDER BY e.global_position
    LIMIT $2
  ) page ON true
  ORDER BY page.global_position`;

type PageRow = { high_water: string } & (StoredEventRow | { [K in keyof StoredEventRow]: null });

/** Reads the events after `after` that no running transaction can still precede. */
export async function readVisibleEvents(
  db: Pool | PoolClient,
  query: {
    after: GlobalPosition;
    limit?: number;
    eventTypePrefixes?: readonly string[];
    leaveOutKeys?: LeaveOutKeys;
  },
): Promise<VisibleEventsPage> {
  const { rows } = await db.query<PageRow>({
    name: 'zg_read_visible_events',
    text: SQL,
    values: [
      query.after.toString(),
      query.limit ?? null,
      typePatterns(query.eventTypePrefixes),
      query.leaveOutKeys && query.leaveOutKeys.length > 0 ? query.leaveOutKeys : null,
    ],
    types: STORED_EVENT_TYPES,
  });
  const events = rows.flatMap((row) => (row.global_position === null ? [] : [toStoredEvent(row as StoredEventRow)]));
  return { events, highWater: BigInt(rows[0]?.high_water ?? 0) };
}

/**
 * The highest position a reader may see now: the store's head as far as readers are concerned (appends
 * still in flight, and positions above them, are not counted).
 */
export async function readVisibleHead(db: Pool | PoolClient): Promise<GlobalPosition> {
  const { rows } = await db.query<{ position: string }>({
    name: 'zg_read_visible_head',
    text: `SELECT coalesce(max(global_position), 0) AS position FROM events
           WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
  });
  return BigInt(rows[0]!.position);
}

/** How many events at or below `through` have a type starting with one of the prefixes (all without prefixes). */
export async function countEvents(
  db: Pool | PoolClient,
  query: { through: GlobalPosition; eventTypePrefixes?: readonly string[] },
): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) FROM events WHERE global_position <= $1 AND ($2::text[] IS NULL OR type LIKE ANY ($2::text[]))`,
    [query.through.toString(), typePatterns(query.eventTypePrefixes)],
  );
  return Number(rows[0]!.count);
}

/** The PostgreSQL event store as projections read it, through a pool or inside a transaction's client. */
export function postgresProjectionSource(db: Pool | PoolClient): ProjectionEventSource {
  return {
    readPage: (query) => readVisibleEvents(db, query),
    readHead: () => readVisibleHead(db),
    countEvents: (query) => countEvents(db, query),
  };
}

/** LIKE patterns for type prefixes (`null`: no filter). */
function typePatterns(prefixes: readonly string[] | undefined): string[] | null {
  return prefixes?.map((prefix) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`) ?? null;
}
