import { ProjectionSql } from '@zhenggai/application';
import { shanghaiDateOf, taskStreamName } from '@zhenggai/domain';
import { DATE_OF } from './local-date.sql';
import { REGION_OF_LEVEL } from './reach.sql';
import { ROLLED_UP_DONE } from './roll-up.sql';
import { SqlParams } from './sql-params';
import type { ListOptions } from './task-queries';
import { LIGHT, Light, VALID_AT } from './traffic-light.sql';

/**
 * A task as the 整改台账 shows it, as of an instant: its row in the task list with names for its codes and ids, its
 * texts, and its days in Beijing time (YYYY-MM-DD), read in one query; only its number ({@link ledgerNumbers}) is read
 * apart, once an export.
 */
export interface LedgerRow {
  readonly id: string;
  readonly title: string;
  /** The category's name (its code if the directory has none). */
  readonly category: string;
  readonly region: string | null;
  readonly campaign: string | null;
  /** 逐级分解: 0 for a top-level task; and the title of the task it answers to. */
  readonly depth: number;
  readonly parentTitle: string | null;
  readonly leadUnit: string | null;
  /** The lead unit's head (负责人) and contact, as the directory has them. */
  readonly responsible: string | null;
  readonly contact: string | null;
  /** The cooperating units' names, joined by 、 in the task's order; null when there are none. */
  readonly cooperatingUnits: string | null;
  /** 整改措施 as assigned, and the unit's own plan (整改方案) as last recorded. */
  readonly measures: string | null;
  readonly plan: string | null;
  /** The last progress report or submission: its Beijing day and its note (or report), e.g. `2027-03-07 完成首批12户`. */
  readonly latestProgress: string | null;
  readonly targetQuantity: number | null;
  /** Done against the target, rolled up as the task list has it. */
  readonly quantityDone: number | null;
  readonly targetUnit: string | null;
  readonly assignedOn: string;
  readonly deadline: string;
  readonly originalDeadline: string;
  readonly status: string;
  readonly light: Light;
  readonly sendBackCount: number;
  readonly closedOn: string | null;
}

/**
 * The 整改台账's rows of the tasks `ids` as the task list answers them at `options.at` (the current rows when
 * `options.current`, the versions valid then otherwise), in the order of `ids` (one gone is left out); their texts
 * are the events' own (the audit keeps every event of a task) said by then. One query, each value as the ledger writes
 * it: an export had read the rows, then their texts, units, categories and campaigns, and turned every instant into
 * text and back again, the main thread's largest share with four exports at once. An export reads them through a
 * {@link LedgerCursor}; this reads them all at once.
 */
export async function ledgerRows(
  sql: ProjectionSql,
  ids: readonly string[],
  options: ListOptions,
): Promise<LedgerRow[]> {
  const { text, values } = ledgerQuery(ids, options);
  return (await sql.query<LedgerRow>(text, values)).rows;
}

/**
 * The 整改台账's rows of an export's tasks (`ledgerRows`), read a batch at a time through a cursor declared in the
 * transaction of `client`: PostgreSQL works out every row once, in one query (where a query a chunk of 500 tasks
 * planned it again, read the current rows and sorted the texts forty times over for 20,000 tasks: a third more of the
 * database's work, with four exports at once the larger share of the machine), and hands them on in order, a batch
 * at a time, so the process holds one batch, not the ledger. The transaction ends the cursor.
 */
export class LedgerCursor {
  private constructor(
    private readonly client: ProjectionSql,
    private readonly name: string,
  ) {}

  static async declare(
    client: ProjectionSql,
    ids: readonly string[],
    options: ListOptions,
    name = 'ledger_rows',
  ): Promise<LedgerCursor> {
    const { text, values } = ledgerQuery(ids, options);
    await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values);
    return new LedgerCursor(client, name);
  }

  /** The next `count` rows (fewer at the end; none once every row has been read). */
  async next(count: number): Promise<LedgerRow[]> {
    return (await this.client.query<LedgerRow>(`FETCH ${Math.max(1, Math.floor(count))} FROM ${this.name}`)).rows;
  }
}

/** The query of `ledgerRows`: its rows in the order of `ids` (the ledger's rows are worked out first, then ordered). */
function ledgerQuery(ids: readonly string[], options: ListOptions): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const asked = params.add(ids);
  // The streams' names are made by the database from the ids: 20,000 of them were a megabyte of parameter to write.
  const prefix = `${params.add(taskStreamName(''))}::text`;
  const at = `${params.add(options.at.toISOString())}::timestamptz`;
  const today = `${params.add(shanghaiDateOf(options.at))}::date`;
  const warn = `${params.add(options.warningDays)}::int`;
  const day = (date: string) => `to_char(${date}, 'YYYY-MM-DD')`;
  const text = `WITH ledger AS MATERIALIZED (
     WITH asked_streams AS (SELECT id AS task_id, ${prefix} || id::text AS stream FROM unnest(${asked}::uuid[]) id),
     said AS (
       SELECT DISTINCT ON (e.stream_name, e.kind) e.stream_name, e.kind, e.occurred_at, e.text
         FROM (SELECT stream_name, position, occurred_at,
                      CASE WHEN type = 'RectificationTaskSubmitted' THEN 'RectificationTaskProgressReported'
                        ELSE type END AS kind,
                      coalesce(data->>'measures', data->>'plan', data->>'note', data->>'report') AS text
                 FROM read_models.audit_entries
                WHERE stream_name = ANY(ARRAY(SELECT stream FROM asked_streams)) AND occurred_at <= ${at}) e
        -- By kind, not type: the index on type matches 40,000 entries where the streams' own are 2,000.
        WHERE e.kind IN ('RectificationTaskAssigned', 'RectificationTaskPlanRecorded',
                         'RectificationTaskProgressReported') AND e.text <> ''
        ORDER BY e.stream_name, e.kind, e.position DESC),
     texts AS (
       SELECT a.task_id,
              min(text) FILTER (WHERE kind = 'RectificationTaskAssigned') AS measures,
              min(text) FILTER (WHERE kind = 'RectificationTaskPlanRecorded') AS plan,
              min(${day(DATE_OF('occurred_at'))} || ' ' || text)
                FILTER (WHERE kind = 'RectificationTaskProgressReported') AS progress
         FROM said
         JOIN asked_streams a ON a.stream = said.stream_name
        GROUP BY a.task_id)
     SELECT v.task_id AS id, v.title, coalesce(c.name, v.category) AS category, r.name AS region,
            k.data->>'name' AS campaign, v.depth,
            -- Looked up only for the tasks that have one (a sub-query run for every row cost a tenth of the query).
            CASE WHEN v.parent_task_id IS NOT NULL THEN
              (SELECT p.title FROM read_models.tasks p WHERE p.task_id = v.parent_task_id) END AS "parentTitle",
            u.name AS "leadUnit", u.head_name AS responsible, u.contact,
            CASE WHEN cardinality(v.cooperating_unit_ids) > 0 THEN
              (SELECT string_agg(coalesce(o.name, x.id::text), '、' ORDER BY x.n)
                 FROM unnest(v.cooperating_unit_ids) WITH ORDINALITY x(id, n) LEFT JOIN units o ON o.id = x.id) END
              AS "cooperatingUnits",
            t.measures, t.plan, t.progress AS "latestProgress",
            v.target_quantity::float8 AS "targetQuantity", (${ROLLED_UP_DONE('v', at)})::float8 AS "quantityDone",
            CASE WHEN v.target_quantity IS NULL THEN NULL ELSE v.target_unit END AS "targetUnit",
            ${day(DATE_OF('v.assigned_at'))} AS "assignedOn", ${day('v.deadline')} AS deadline,
            ${day('v.original_deadline')} AS "originalDeadline", v.status, ${LIGHT('v', today, warn)} AS light,
            v.send_back_count AS "sendBackCount", ${day(DATE_OF('v.closed_at'))} AS "closedOn"
       FROM ${options.current ? 'read_models.tasks' : 'read_models.task_versions'} v
       LEFT JOIN regions r ON r.id = v.region_id
       LEFT JOIN units u ON u.id = v.lead_unit_id
       LEFT JOIN categories c ON c.code = v.category
       LEFT JOIN read_models.campaigns k ON k.campaign_id = v.campaign_id
       LEFT JOIN texts t ON t.task_id = v.task_id
      WHERE v.task_id = ANY(${asked}::uuid[])${options.current ? '' : ` AND ${VALID_AT('v', at)}`})
     SELECT l.* FROM ledger l JOIN unnest(${asked}::uuid[]) WITH ORDINALITY o(id, n) ON o.id = l.id ORDER BY o.n`;
  return { text, values: params.values };
}

/**
 * 任务编号 of these tasks (none for one not in the read model): the county's name without 县/区/市, the year the task was
 * assigned (Beijing time) and its place, four digits, among the tasks assigned in that county and year (e.g.
 * 阜南-2018-0012). A task is numbered among every task of its county and year in the order their assignments were
 * stored (the event store's positions), not only among the tasks asked for or within a caller's reach: a task keeps
 * its number whoever exports it and however many tasks come after it, since a task assigned later is stored later.
 * (A county renamed in the directory lends its new name to the prefix; regions are never moved to another county.)
 * Each county and year asked for is counted whole: an export asks once for all its tasks, not once a chunk.
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

/** 阜南县 → 阜南, 阜阳市 → 阜阳, 颍州区 → 颍州: the name a number carries, as offices abbreviate it. */
function shortName(name: string | null): string {
  if (!name) return '未知';
  return name.length > 2 ? name.replace(/(自治县|县|市|区|旗)$/, '') : name;
}
