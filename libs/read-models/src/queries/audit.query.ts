import { ProjectionSql } from '@zhenggai/application';
import { IN_REGION_SUBTREE } from './reach.sql';
import { SqlParams } from './sql-params';

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

/** Events across all streams, by who did them and when (`from` inclusive, `to` exclusive), in store order. */
export async function auditEntries(sql: ProjectionSql, filter: AuditFilter, page: { page: number; pageSize: number }) {
  const params = new SqlParams();
  const clauses: string[] = [];
  if (filter.actor) clauses.push(`actor_username = ${params.add(filter.actor)}`);
  if (filter.from) clauses.push(`occurred_at >= ${params.add(filter.from.toISOString())}::timestamptz`);
  if (filter.to) clauses.push(`occurred_at < ${params.add(filter.to.toISOString())}::timestamptz`);
  if (filter.type) clauses.push(`type = ${params.add(filter.type)}`);
  if (filter.withinRegionId) clauses.push(IN_REGION_SUBTREE('region_id', params.add(filter.withinRegionId)));
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const [rows, count] = await Promise.all([
    sql.query(
      `SELECT * FROM read_models.audit_entries ${where} ORDER BY position
        LIMIT ${params.add(page.pageSize)} OFFSET ${params.add((page.page - 1) * page.pageSize)}`,
      params.values,
    ),
    sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM read_models.audit_entries ${where}`,
      params.values.slice(0, -2),
    ),
  ]);
  const items: AuditEntry[] = rows.rows.map((r: any) => ({
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
  return { items, total: Number(count.rows[0].n) };
}

/**
 * The streams whose events cite an uploaded evidence file, as `evidence: [{ ref: 'evidence:<id>' }]` or by its
 * bare id: whoever may read one of them may read the file.
 */
export async function streamsCitingEvidence(sql: ProjectionSql, evidenceId: string): Promise<string[]> {
  const { rows } = await sql.query<{ stream_name: string }>(
    `SELECT DISTINCT stream_name FROM read_models.audit_entries WHERE data @> $1::jsonb OR data @> $2::jsonb`,
    [
      JSON.stringify({ evidence: [{ ref: `evidence:${evidenceId}` }] }),
      JSON.stringify({ evidence: [{ ref: evidenceId }] }),
    ],
  );
  return rows.map((row) => row.stream_name);
}
