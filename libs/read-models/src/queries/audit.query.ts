import { ProjectionSql } from '@zhenggai/application';
import { IN_REGION_SUBTREE } from './reach.sql';
import { SqlParams } from './sql-params';
import { untilUpgraded } from './until-upgraded';

export interface AuditFilter {
  /** A username. */
  readonly actor?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly type?: string;
  /** Only the entries of streams placed in this region's subtree (a scoped inspector's or leader's audit). */
  readonly withinRegionId?: string | null;
}

export interface AuditEntry {
  readonly position: string;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly actor: { userId: string | null; username: string | null; role: string | null; unitId: string | null };
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string | null;
  readonly data: unknown;
}

/**
 * How many matching entries an audit page counts at most, unless asked for the exact number: counting every match
 * on every page is what made deep pages slow (issue 22), and a count up to here reads this many index entries at most.
 */
export const AUDIT_COUNT_CAP = 10_000;

/**
 * Where a page of the audit starts: `after`, the position of the last entry of the page before (keyset paging, read
 * by index however deep), or else the `page`-th page of `pageSize` (an offset, as costly as the entries skipped).
 */
export interface AuditPage {
  readonly page: number;
  readonly pageSize: number;
  /** A position: the entries after it. */
  readonly after?: string;
  /** true: count every matching entry; otherwise counted up to {@link AUDIT_COUNT_CAP}. */
  readonly count?: boolean;
}

export interface AuditAnswer {
  readonly items: AuditEntry[];
  /** The `after` of the next page, or null on the last. */
  readonly next: string | null;
  /** The matching entries, all of them (not only those after the cursor); at least this many unless `totalExact`. */
  readonly total: number;
  readonly totalExact: boolean;
}

/** Events across all streams, by who did them and when (`from` inclusive, `to` exclusive), in store order. */
export async function auditEntries(sql: ProjectionSql, filter: AuditFilter, page: AuditPage): Promise<AuditAnswer> {
  const params = new SqlParams();
  const clauses: string[] = [];
  const startsAt: string[] = [];
  if (filter.actor) clauses.push(`actor_username = ${params.add(filter.actor)}`);
  if (filter.from) {
    const from = params.add(filter.from.toISOString());
    clauses.push(`occurred_at >= ${from}::timestamptz`);
    // No entry before this one is as late as `from`: a page of a range late in the history starts reading there.
    // Not in the count, which the index on occurred_at answers better.
    startsAt.push(`position >= (SELECT position FROM read_models.audit_entries
      WHERE occurred_max >= ${from}::timestamptz ORDER BY occurred_max, position LIMIT 1)`);
  }
  if (filter.to) clauses.push(`occurred_at < ${params.add(filter.to.toISOString())}::timestamptz`);
  if (filter.type) clauses.push(`type = ${params.add(filter.type)}`);
  if (filter.withinRegionId) clauses.push(IN_REGION_SUBTREE('region_id', params.add(filter.withinRegionId)));
  const filtered = [...params.values];
  const where = (more: string[]) => (more.length ? `WHERE ${more.join(' AND ')}` : '');
  if (page.after !== undefined) startsAt.push(`position > ${params.add(page.after)}::bigint`);
  const paged = [...clauses, ...startsAt];
  // One entry more than the page: whether there is a next page, without counting.
  const limit = params.add(page.pageSize + 1);
  const offset = page.after === undefined ? ` OFFSET ${params.add((page.page - 1) * page.pageSize)}` : '';
  const capped = !page.count;
  const matching = `SELECT 1 FROM read_models.audit_entries ${where(clauses)}`;
  const counted = `SELECT count(*) AS n FROM (${matching}${capped ? ` LIMIT ${AUDIT_COUNT_CAP + 1}` : ''}) m`;
  const [rows, count] = await Promise.all([
    sql.query(
      `SELECT * FROM read_models.audit_entries ${where(paged)} ORDER BY position LIMIT ${limit}${offset}`,
      params.values,
    ),
    sql.query<{ n: string }>(counted, filtered),
  ]);
  const items: AuditEntry[] = rows.rows.slice(0, page.pageSize).map((r: any) => ({
    position: String(r.position),
    streamName: r.stream_name,
    revision: r.revision,
    type: r.type,
    actor: { userId: r.actor_user_id, username: r.actor_username, role: r.actor_role, unitId: r.actor_unit_id },
    occurredAt: new Date(r.occurred_at).toISOString(),
    recordedAt: new Date(r.recorded_at).toISOString(),
    correlationId: r.correlation_id,
    data: r.data,
  }));
  const n = Number(count.rows[0].n);
  return {
    items,
    next: rows.rows.length > page.pageSize ? items[items.length - 1].position : null,
    total: capped ? Math.min(n, AUDIT_COUNT_CAP) : n,
    totalExact: !capped || n <= AUDIT_COUNT_CAP,
  };
}

/**
 * The streams whose events cite an uploaded evidence file, as `evidence: [{ ref: 'evidence:<id>' }]` or by its
 * bare id, in any case: whoever may read one of them may read the file. Looked up by the file's id in the citations the
 * audit keeps (each ref read as the references check reads it, since version 6); until an upgrade has built them,
 * every entry's data is searched, as before (seconds at a million tasks), and refs are compared exactly there.
 */
export async function streamsCitingEvidence(sql: ProjectionSql, evidenceId: string): Promise<string[]> {
  const { rows } = await untilUpgraded(
    () =>
      sql.query<{ stream_name: string }>(
        'SELECT DISTINCT stream_name FROM read_models.evidence_citations WHERE evidence_id = $1',
        [evidenceId],
      ),
    () =>
      sql.query<{ stream_name: string }>(
        `SELECT DISTINCT stream_name FROM read_models.audit_entries WHERE data @> $1::jsonb OR data @> $2::jsonb`,
        [
          JSON.stringify({ evidence: [{ ref: `evidence:${evidenceId}` }] }),
          JSON.stringify({ evidence: [{ ref: evidenceId }] }),
        ],
      ),
  );
  return rows.map((row) => row.stream_name);
}
