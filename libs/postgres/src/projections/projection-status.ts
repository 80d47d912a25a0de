import type { GlobalPosition, ProjectionEventSource } from '@zhenggai/application';
import type { Pool } from 'pg';
import { readVisibleHead } from '../event-store/visible-events.query';
import { leaseKeySql } from './projection-names';

/** Where a projection stands, as stored in the database. */
export interface ProjectionStatus {
  readonly name: string;
  /** The active generation; `null` when the projection was never started. */
  readonly generation: number | null;
  /** The active generation's checkpoint: every event up to here is in the read model. */
  readonly position: GlobalPosition;
  /** The highest position readers of the store can see (appends still in flight are not counted). */
  readonly head: GlobalPosition;
  /** `head - position`, in positions (not all of them are events the projection takes). */
  readonly lag: number;
  /**
   * When the active generation's checkpoint was last written (by a batch, or at the generation's creation), ISO-8601.
   */
  readonly lastBatchAt: string | null;
  /** Some session holds the projection's lease: a runner is active somewhere. */
  readonly leased: boolean;
}

interface StatusRow {
  readonly name: string;
  readonly active_generation: number;
  readonly position: string | null;
  readonly updated_at: Date | null;
  readonly leased: boolean;
}

// Advisory locks on a bigint key appear in pg_locks as (classid, objid) = (high, low 32 bits), objsubid 1.
const STATUS_SQL = `
  SELECT s.name, s.active_generation, c.position, c.updated_at,
         EXISTS (
           SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid::bigint = ((k.key >> 32) & 4294967295)
             AND l.objid::bigint = (k.key & 4294967295)
         ) AS leased
  FROM projection_state s
  CROSS JOIN LATERAL (SELECT ${leaseKeySql('s.name')} AS key) k
  LEFT JOIN projection_checkpoints c ON c.name = s.name AND c.generation = s.active_generation
  WHERE $1::text[] IS NULL OR s.name = ANY ($1::text[])
  ORDER BY s.name`;

/**
 * The status of the named projections (all stored ones without `names`), for processes that run no runner
 * (the API's health check). A named projection that was never started is reported with generation `null`
 * and its whole distance to the head as lag. The head comes from `source` when the events live elsewhere.
 */
export async function readProjectionStatuses(
  pool: Pool,
  names?: readonly string[],
  source?: ProjectionEventSource,
): Promise<ProjectionStatus[]> {
  const [{ rows }, head] = await Promise.all([
    pool.query<StatusRow>(STATUS_SQL, [names ?? null]),
    source ? source.readHead() : readVisibleHead(pool),
  ]);
  const stored = new Map(rows.map((row) => [row.name, row]));
  const reported = names ?? rows.map((row) => row.name);
  return reported.map((name) => {
    const row = stored.get(name);
    const position = row?.position ? BigInt(row.position) : 0n;
    return {
      name,
      generation: row?.active_generation ?? null,
      position,
      head,
      lag: lagBetween(position, head),
      lastBatchAt: row?.updated_at?.toISOString() ?? null,
      leased: row?.leased ?? false,
    };
  });
}

/** How far `position` is behind `head`, in positions; 0 when it is not behind. */
export function lagBetween(position: GlobalPosition, head: GlobalPosition): number {
  return head > position ? Number(head - position) : 0;
}
