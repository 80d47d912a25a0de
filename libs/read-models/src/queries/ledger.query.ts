import { ProjectionSql } from '@zhenggai/application';
import { taskStreamName } from '@zhenggai/domain';
import { DATE_OF, EPOCH_MS } from './local-date.sql';
import { REGION_OF_LEVEL } from './reach.sql';
import type { TaskRow } from './task-queries';

/** What the 整改台账 shows of a task beyond its row in the task list: names for its codes and ids, and its texts. */
export interface LedgerDetails {
  /**
   * 任务编号: the county's name without 县/区/市, the year the task was assigned (Beijing time) and its place, four
   * digits, among the tasks assigned in that county and year (e.g. 阜南-2018-0012).
   */
  readonly number: string | null;
  readonly categoryName: string | null;
  readonly campaignName: string | null;
  readonly cooperatingUnitNames: readonly string[];
  /** The lead unit's head (负责人) and contact, as the directory has them. */
  readonly responsible: string | null;
  readonly contact: string | null;
  /** 整改措施 as assigned, and the unit's own plan (整改方案) as last recorded by `at`. */
  readonly measures: string | null;
  readonly plan: string | null;
  /** The last progress report or submission by `at`: its note (or report) and when. */
  readonly latestProgress: { readonly note: string; readonly at: string } | null;
}

/**
 * 任务编号 of these tasks ({@link LedgerDetails.number}; null for one not in the read model). A task is numbered among
 * every task of its county and year in the order their assignments were stored (the event store's positions), not
 * only among the tasks asked for or within a caller's reach: a task keeps its number whoever exports it and however
 * many tasks come after it, since a task assigned later is stored later. (A county renamed in the directory lends its
 * new name to the prefix; regions are never moved to another county.) Each county and year asked for is counted
 * whole: an export asks once for all its tasks, not once a chunk.
 */
export async function ledgerNumbers(sql: ProjectionSql, ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await sql.query<{ id: string; county: string | null; year: number; seq: number }>(
    // The counties asked for first, from the regions of the tasks asked; then every region in those counties' subtrees
    // with its county (a region's, not a task's: there are fewer), and the tasks in them. Numbering every task of the
    // store placed task by task read all of a province's tasks for one county's ledger.
    `WITH asked_counties AS (
       SELECT DISTINCT coalesce(${REGION_OF_LEVEL('t.region_id', "'county'")}, t.region_id) AS county_id
         FROM (SELECT DISTINCT region_id FROM read_models.tasks WHERE task_id = ANY($1::uuid[])) t),
     area AS MATERIALIZED (
       SELECT g.id AS region_id, coalesce(${REGION_OF_LEVEL('g.id', "'county'")}, g.id) AS county_id
         FROM regions g WHERE g.path && ARRAY(SELECT county_id FROM asked_counties)),
     placed AS (
       SELECT v.task_id, a.county_id, extract(year FROM ${DATE_OF('v.assigned_at')})::int AS year
         FROM read_models.tasks v JOIN area a ON a.region_id = v.region_id),
     asked AS (SELECT DISTINCT county_id, year FROM placed WHERE task_id = ANY($1::uuid[])),
     numbered AS (
       SELECT p.task_id, p.county_id, p.year,
              row_number() OVER (PARTITION BY p.county_id, p.year ORDER BY
                (SELECT f.position FROM read_models.task_versions f WHERE f.task_id = p.task_id
                  ORDER BY f.version LIMIT 1), p.task_id)::int AS seq
         FROM placed p JOIN asked USING (county_id, year))
     SELECT n.task_id AS id, c.name AS county, n.year, n.seq
       FROM numbered n LEFT JOIN regions c ON c.id = n.county_id
      WHERE n.task_id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((n) => [n.id, `${shortName(n.county)}-${n.year}-${String(n.seq).padStart(4, '0')}`] as const),
  );
}

/**
 * The texts of tasks as they stood at an instant, by task id and event type: 整改措施, 整改方案 and the latest progress,
 * each with when it was said (ms since 1970).
 */
export type LedgerTexts = ReadonlyMap<
  string,
  ReadonlyMap<string, { readonly at: number; readonly text: string | null }>
>;

/**
 * The texts of the tasks `ids` as they stood at `at` (the events' own: the audit keeps every event of a task). Needs
 * only the ids, so an export reads them while it reads the tasks' rows.
 */
export async function ledgerTexts(sql: ProjectionSql, ids: readonly string[], at: Date): Promise<LedgerTexts> {
  // The instant as epoch milliseconds: 40,000 timestamps an export were parsed.
  const { rows } = await sql.query<{ stream: string; type: string; at: string; text: string | null }>(
    `SELECT DISTINCT ON (stream_name, kind) stream_name AS stream, type,
            ${EPOCH_MS('occurred_at')} AS at,
            coalesce(data->>'measures', data->>'plan', data->>'note', data->>'report') AS text
       FROM (SELECT *, CASE WHEN type = 'RectificationTaskSubmitted' THEN 'RectificationTaskProgressReported'
                       ELSE type END AS kind
               FROM read_models.audit_entries
              WHERE stream_name = ANY($1::text[]) AND occurred_at <= $2::timestamptz
                AND type IN ('RectificationTaskAssigned', 'RectificationTaskPlanRecorded',
                             'RectificationTaskProgressReported', 'RectificationTaskSubmitted')
                AND coalesce(data->>'measures', data->>'plan', data->>'note', data->>'report', '') <> '') e
      ORDER BY stream_name, kind, position DESC`,
    [ids.map(taskStreamName), at.toISOString()],
  );
  const streams = new Map(ids.map((id) => [taskStreamName(id), id]));
  const textsOf = new Map<string, Map<string, { at: number; text: string | null }>>();
  for (const row of rows) {
    const id = streams.get(row.stream)!;
    let of = textsOf.get(id);
    if (!of) textsOf.set(id, (of = new Map()));
    of.set(row.type, { at: Number(row.at), text: row.text });
  }
  return textsOf;
}

/** The ledger's details of `tasks`, with their `numbers` ({@link ledgerNumbers}) and `texts` ({@link ledgerTexts}). */
export async function ledgerDetails(
  sql: ProjectionSql,
  tasks: readonly TaskRow[],
  numbers: ReadonlyMap<string, string>,
  texts: LedgerTexts,
): Promise<Map<string, LedgerDetails>> {
  const unitIds = [...new Set(tasks.flatMap((t) => [t.leadUnitId, ...t.cooperatingUnitIds]))];
  const [units, categories, campaigns] = await Promise.all([
    sql.query<{ id: string; name: string; head_name: string | null; contact: string | null }>(
      'SELECT id, name, head_name, contact FROM units WHERE id = ANY($1::uuid[])',
      [unitIds],
    ),
    sql.query<{ code: string; name: string }>('SELECT code, name FROM categories WHERE code = ANY($1::text[])', [
      [...new Set(tasks.map((t) => t.category))],
    ]),
    sql.query<{ id: string; name: string | null }>(
      `SELECT campaign_id AS id, data->>'name' AS name FROM read_models.campaigns WHERE campaign_id = ANY($1::uuid[])`,
      [[...new Set(tasks.map((t) => t.campaignId).filter((id): id is string => id !== null))]],
    ),
  ]);
  const unitOf = new Map(units.rows.map((u) => [u.id, u]));
  const categoryOf = new Map(categories.rows.map((c) => [c.code, c.name]));
  const campaignOf = new Map(campaigns.rows.map((c) => [c.id, c.name]));
  return new Map(
    tasks.map((task) => {
      const lead = unitOf.get(task.leadUnitId);
      const text = texts.get(task.id);
      const progress = text?.get('RectificationTaskProgressReported') ?? text?.get('RectificationTaskSubmitted');
      const details: LedgerDetails = {
        number: numbers.get(task.id) ?? null,
        categoryName: categoryOf.get(task.category) ?? null,
        campaignName: task.campaignId ? (campaignOf.get(task.campaignId) ?? null) : null,
        cooperatingUnitNames: task.cooperatingUnitIds.map((id) => unitOf.get(id)?.name ?? id),
        responsible: lead?.head_name ?? null,
        contact: lead?.contact ?? null,
        measures: text?.get('RectificationTaskAssigned')?.text ?? null,
        plan: text?.get('RectificationTaskPlanRecorded')?.text ?? null,
        latestProgress: progress?.text ? { note: progress.text, at: new Date(progress.at).toISOString() } : null,
      };
      return [task.id, details];
    }),
  );
}

/** 阜南县 → 阜南, 阜阳市 → 阜阳, 颍州区 → 颍州: the name a number carries, as offices abbreviate it. */
function shortName(name: string | null): string {
  if (!name) return '未知';
  return name.length > 2 ? name.replace(/(自治县|县|市|区|旗)$/, '') : name;
}
