import {
  PreparedProjectionBatch,
  Projection,
  ProjectionSql,
  ProjectionWriteSql,
  StoredEvent,
  storedEvidenceIdOf,
} from '@zhenggai/application';
import { DIRECTORY_EVENT_PREFIXES, SETTINGS_EVENT_PREFIXES } from '@zhenggai/domain';

/** The columns of `audit_entries`, in the table's order. */
const AUDIT_COLUMNS = [
  'position',
  'stream_name',
  'revision',
  'type',
  'actor_user_id',
  'actor_username',
  'actor_role',
  'actor_unit_id',
  'occurred_at',
  'recorded_at',
  'correlation_id',
  'data',
  'region_id',
  'occurred_max',
] as const;

/**
 * The region a stream's first event places it in (a task's or a finding's place, a campaign's scope, a region or a
 * unit).
 */
function regionOf(e: StoredEvent): string | null {
  switch (e.type) {
    case 'FindingFiled':
    case 'RectificationTaskAssigned':
    case 'RegionCreated':
    case 'UnitRegistered':
      return e.data?.regionId ?? null;
    case 'CampaignLaunched':
    case 'BulletinIssued':
      return e.data?.scope?.regionId ?? null;
    default:
      return null;
  }
}

/**
 * Every event of every stream, indexed by who did it and when: the cross-stream audit (全程留痕), the
 * directory's changes and the admin's settings (the digest's time) included. Each entry carries its stream's region,
 * so a user limited to a subtree reads the entries of its subtree only. Version 2: the directory and the regions.
 * Version 3: each filter's index ends in the position, so a page after a cursor (issue 22) is read in order by index;
 * and `occurred_max`, the latest `occurred_at` up to each entry, which only grows with the position: the first entry
 * of a time range lies at or after the first whose `occurred_max` reaches the range's start, found by index.
 * Version 4: what a task's events said (`task_texts`, see `TASK_TEXTS`), apart from their entries, for the 整改台账.
 * Version 5: the files each stream cites (`evidence_citations`), by id. Version 6: a citation's ref read as the
 * references check reads it (`citationsOf`): a file cited in capitals is found by its id.
 */
export const auditProjection: Projection = {
  name: 'audit',
  version: 6,
  eventTypePrefixes: [
    'RectificationTask',
    'Finding',
    'Campaign',
    'Bulletin',
    ...DIRECTORY_EVENT_PREFIXES,
    ...SETTINGS_EVENT_PREFIXES,
  ],

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
        data jsonb NOT NULL,
        region_id uuid,
        occurred_max timestamptz NOT NULL
      );
      CREATE TABLE "${schema}".stream_regions (
        stream_name text PRIMARY KEY,
        region_id uuid NOT NULL
      );
      CREATE TABLE "${schema}".task_texts (
        task_id uuid NOT NULL,
        kind text NOT NULL,
        position bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        text text NOT NULL
      );
      CREATE TABLE "${schema}".evidence_citations (
        evidence_id text NOT NULL,
        stream_name text NOT NULL
      );`);
  },

  // Only the readers use them (the writes look rows up by key): a generation filled from far behind goes without them
  // until it is caught up. Named as PostgreSQL named them when they were made with the tables (version 3).
  readIndexes(schema: string) {
    return [
      ['stream_name', 'stream_name'],
      ['actor_username_position', 'actor_username, position'],
      ['type_position', 'type, position'],
      ['region_id_position', 'region_id, position'],
      ['occurred_at', 'occurred_at'],
      ['occurred_max_position', 'occurred_max, position'],
    ]
      .map(([name, columns]) => ({
        name: `audit_entries_${name}_idx`,
        on: `ON "${schema}".audit_entries (${columns})`,
      }))
      .concat(
        {
          name: 'task_texts_task_id_kind_position_idx',
          on: `ON "${schema}".task_texts (task_id, kind, position)`,
        },
        {
          name: 'evidence_citations_evidence_id_idx',
          on: `ON "${schema}".evidence_citations (evidence_id)`,
        },
      );
  },

  views(schema: string) {
    return [
      { name: 'audit_entries', select: `SELECT * FROM "${schema}".audit_entries` },
      { name: 'task_texts', select: `SELECT * FROM "${schema}".task_texts` },
      { name: 'evidence_citations', select: `SELECT * FROM "${schema}".evidence_citations` },
    ];
  },

  /** `prepare` then its `write`, in the batch's transaction. */
  async apply(sql: ProjectionWriteSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    await (await prepareAudit(sql, schema, events, undefined)).write(sql);
  },

  prepare: (sql, schema, events, carried) => prepareAudit(sql, schema, events, carried as AuditCarry | undefined),
};

/** An instant as `Date.toISOString` writes it (years 0 to 9999): written so, instants sort as their texts do. */
const TO_ISO_STRING = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * An event's time as `Date.toISOString` writes it: as it is when written so (nearly every event: the clock's own), so
 * that a catch-up of millions of events does not parse each and write it out again.
 */
const isoOf = (instant: string) => (TO_ISO_STRING.test(instant) ? instant : new Date(instant).toISOString());

const latest = (a: string, b: string) => (b > a ? b : a);

/**
 * What a batch hands on to the next one, prepared while it is being written: the region of each stream it placed or
 * met (its new streams' rows are not committed yet), and the last entry's `occurred_max`.
 */
interface AuditCarry {
  readonly regions: ReadonlyMap<string, string>;
  /** As `Date.toISOString` writes it ('' before any entry). */
  readonly occurredMax: string;
}

/**
 * A batch's entries worked out in Node: one query reads the regions of its streams (and the last `occurred_max`, when
 * nothing is carried), the rest is in memory. Its `write` places the batch's new streams and appends the entries (a
 * COPY: a JSON parameter cost the server about twice as much), the texts and the citations. Far behind, the runner
 * works the next batch out while the database writes this one: the audit's Node work had waited for each COPY.
 */
async function prepareAudit(
  sql: ProjectionSql,
  schema: string,
  events: readonly StoredEvent[],
  carried: AuditCarry | undefined,
): Promise<PreparedProjectionBatch> {
  // Nothing to write; what the batch before carried still stands for its rows.
  if (events.length === 0) return { carry: carried, write: async () => undefined };
  /** The region a stream's first placing event in this batch names (the insert keeps the first); stored ones win. */
  const placed = new Map<string, string>();
  for (const e of events) {
    const regionId = regionOf(e);
    if (regionId && !placed.has(e.streamName)) placed.set(e.streamName, regionId);
  }
  const streams = [...new Set(events.map((e) => e.streamName))];
  // The latest time so far is carried from the batch before, when there is one.
  const lastOccurred = carried
    ? 'NULL::timestamptz'
    : `(SELECT occurred_max FROM "${schema}".audit_entries ORDER BY position DESC LIMIT 1)`;
  const { rows: found } = await sql.query<{ occurred_max: Date | null; regions: Record<string, string> | null }>(
    `SELECT ${lastOccurred} AS occurred_max,
            (SELECT json_object_agg(stream_name, region_id) FROM "${schema}".stream_regions
              WHERE stream_name = ANY($1::text[])) AS regions`,
    // The regions are looked up by key: joined with the batch alone, the planner hashed the whole table of streams.
    [streams],
  );
  const stored = found[0]?.regions ?? {};
  /** Each stream's region as the entries carry it: stored, or placed by the batch before, or by this one. */
  const regions = new Map<string, string>();
  for (const stream of streams) {
    const regionId = stored[stream] ?? carried?.regions.get(stream) ?? placed.get(stream);
    if (regionId) regions.set(stream, regionId);
  }
  let occurredMax = carried
    ? carried.occurredMax
    : found[0]?.occurred_max
      ? new Date(found[0].occurred_max).toISOString()
      : '';
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
    // As JSON text: COPY would write an array value as an array literal.
    data: JSON.stringify(e.data),
    region_id: regions.get(e.streamName) ?? null,
    occurred_max: (occurredMax = latest(occurredMax, isoOf(e.metadata?.occurredAt ?? e.recordedAt))),
  }));
  const texts = events.flatMap(taskText);
  const citations = events.flatMap(citationsOf);
  // Placed anew: the streams no batch committed or carried had placed (stored ones win, and the insert keeps them).
  const newlyPlaced = [...placed].filter(([stream]) => stored[stream] === undefined && !carried?.regions.has(stream));
  return {
    carry: { regions, occurredMax } satisfies AuditCarry,
    async write(writeSql: ProjectionWriteSql): Promise<void> {
      if (newlyPlaced.length > 0)
        await writeSql.query(
          `INSERT INTO "${schema}".stream_regions
             SELECT * FROM jsonb_populate_recordset(NULL::"${schema}".stream_regions, $1::jsonb)
           ON CONFLICT (stream_name) DO NOTHING`,
          [JSON.stringify(newlyPlaced.map(([stream_name, region_id]) => ({ stream_name, region_id })))],
        );
      await writeSql.copyRows(`"${schema}".audit_entries`, AUDIT_COLUMNS, rows);
      if (texts.length > 0) await writeSql.copyRows(`"${schema}".task_texts`, TEXT_COLUMNS, texts);
      if (citations.length > 0)
        await writeSql.copyRows(`"${schema}".evidence_citations`, ['evidence_id', 'stream_name'], citations);
    },
  };
}

/**
 * The uploaded files an event cites (`evidence: [{ ref: 'evidence:<id>' }]`, or the bare id), each with the event's
 * stream: who may read a file is whoever may read a stream that cites it, looked up by the file's id, where it had
 * been a search of every entry's data (seconds at a million tasks, at each download by someone other than the
 * uploader). A ref is read as the references check reads it when a command cites a file (`storedEvidenceIdOf`: any
 * case, the id as stored); one that names no uploaded file (a file name, a link) is no citation.
 */
function citationsOf(e: StoredEvent): Array<{ evidence_id: string; stream_name: string }> {
  const cited: unknown = e.data?.evidence;
  if (!Array.isArray(cited)) return [];
  return cited.flatMap((item: { ref?: unknown } | null) => {
    const id = typeof item?.ref === 'string' ? storedEvidenceIdOf(item.ref) : null;
    return id === null ? [] : [{ evidence_id: id, stream_name: e.streamName }];
  });
}

/**
 * What a task's events said, as the 整改台账 shows it: the measures it was assigned with, the plans recorded and the
 * notes of its progress reports and submissions (kind `measures`, `plan`, `progress`), one row an event that said
 * something. The ledger reads a task's last of each kind said by an instant from these narrow rows, by index, where
 * it had read every entry of the task's stream and its data (the assignment's carries its reminder ladder, and is
 * stored compressed): a third of the ledger's query.
 */
const TASK_TEXTS: Readonly<Record<string, { kind: 'measures' | 'plan' | 'progress'; field: string }>> = {
  RectificationTaskAssigned: { kind: 'measures', field: 'measures' },
  RectificationTaskPlanRecorded: { kind: 'plan', field: 'plan' },
  RectificationTaskProgressReported: { kind: 'progress', field: 'note' },
  RectificationTaskSubmitted: { kind: 'progress', field: 'report' },
};

const TEXT_COLUMNS = ['task_id', 'kind', 'position', 'occurred_at', 'text'] as const;

function taskText(e: StoredEvent): Array<Record<(typeof TEXT_COLUMNS)[number], string>> {
  const said = TASK_TEXTS[e.type];
  const value: unknown = said && e.data?.[said.field];
  if (value === undefined || value === null || value === '' || typeof e.data?.taskId !== 'string') return [];
  return [
    {
      task_id: e.data.taskId,
      kind: said!.kind,
      position: e.position.toString(),
      occurred_at: e.metadata?.occurredAt ?? e.recordedAt,
      text: typeof value === 'string' ? value : JSON.stringify(value),
    },
  ];
}
