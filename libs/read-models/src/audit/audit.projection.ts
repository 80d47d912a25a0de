import { Projection, ProjectionSql, StoredEvent } from '@zhenggai/application';

/** Every event of every stream, indexed by who did it and when: the cross-stream audit (全程留痕). */
export const auditProjection: Projection = {
  name: 'audit',
  eventTypePrefixes: ['RectificationTask', 'Finding', 'Campaign'],

  async setup(sql: ProjectionSql, schema: string): Promise<void> {
    await sql.query(`
      CREATE TABLE "${schema}".audit_entries (
        position bigint PRIMARY KEY,
        stream_name text NOT NULL,
        revision integer NOT NULL,
        type text NOT NULL,
        actor_user_id text,
        actor_username text,
        actor_role text,
        actor_unit_id text,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        correlation_id text,
        data jsonb NOT NULL
      );
      CREATE INDEX ON "${schema}".audit_entries (actor_username, occurred_at);
      CREATE INDEX ON "${schema}".audit_entries (occurred_at);`);
  },

  views(schema: string) {
    return [{ name: 'audit_entries', select: `SELECT * FROM "${schema}".audit_entries` }];
  },

  async apply(sql: ProjectionSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      position: e.position.toString(),
      stream_name: e.streamName,
      revision: e.revision,
      type: e.type,
      actor_user_id: e.metadata?.actor?.userId ?? null,
      actor_username: e.metadata?.actor?.username ?? null,
      actor_role: e.metadata?.actor?.role ?? null,
      actor_unit_id: e.metadata?.actor?.unitId ?? null,
      occurred_at: e.metadata?.occurredAt ?? e.recordedAt,
      recorded_at: e.recordedAt,
      correlation_id: e.metadata?.correlationId ?? null,
      data: e.data,
    }));
    await sql.query(
      `INSERT INTO "${schema}".audit_entries
       SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".audit_entries, $1::jsonb)`,
      [JSON.stringify(rows)],
    );
  },
};
