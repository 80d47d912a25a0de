import { ProjectionSql } from '@zhenggai/application';
import { shanghaiDateOf, taskStreamName } from '@zhenggai/domain';
import { DATE_OF } from './local-date.sql';
import { REGION_OF_LEVEL } from './reach.sql';
import { ROLLED_UP_DONE } from './roll-up.sql';
import { SqlParams } from './sql-params';
import type { ListOptions } from './task-queries';
import { LIGHT, Light, VALID_AT } from './traffic-light.sql';

/**
 * A task as the 整改台账 shows it, as of an instant: its number, its row in the task list with names for its codes
 * and ids, its texts, and its days in Beijing time (YYYY-MM-DD), read in one query.
 */
export interface LedgerRow {
  readonly id: string;
  /**
   * 任务编号: the county's name without 县/区/市, the year the task was assigned (Beijing time) and its place, four
   * digits at least, among the tasks assigned in that county and year in the order their assignments were stored (e.g.
   * 阜南-2018-0012). Kept by the tasks projection from the assignment: a task keeps its number whoever exports it and
   * however many tasks come after it. (A county renamed in the directory lends its new name to the prefix.)
   */
  readonly number: string | null;
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
  const { text, values } = ledgerQuery(ids, options, await keptFor(sql));
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
    const { text, values } = ledgerQuery(ids, options, await keptFor(client));
    await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values);
    return new LedgerCursor(client, name);
  }

  /** The next `count` rows (fewer at the end; none once every row has been read). */
  async next(count: number): Promise<LedgerRow[]> {
    return (await this.client.query<LedgerRow>(`FETCH ${Math.max(1, Math.floor(count))} FROM ${this.name}`)).rows;
  }
}

/**
 * The numbers of the tasks `asked` (an array parameter), from `numbers` (rows as `task_numbers` keeps them): 任务编号
 * as the ledger writes it, its county's short name, year and place (four digits at least). The short name is worked
 * out once a county, not once a task (a regular expression on every row was a sixth of the ledger's query): 阜南县 →
 * 阜南, 阜阳市 → 阜阳, 颍州区 → 颍州, as offices abbreviate them.
 */
const NUMBERED = (numbers: string, asked: string) => `
     numbered AS MATERIALIZED (
       SELECT n.task_id, n.county_id, n.year, n.seq FROM ${numbers} n WHERE n.task_id = ANY(${asked}::uuid[])),
     prefixes AS MATERIALIZED (
       SELECT y.county_id, y.year,
              coalesce(CASE WHEN char_length(g.name) > 2 THEN regexp_replace(g.name, '(自治县|县|市|区|旗)$', '')
                         ELSE nullif(g.name, '') END, '未知') || '-' || y.year || '-' AS prefix
         FROM (SELECT DISTINCT county_id, year FROM numbered) y LEFT JOIN regions g ON g.id = y.county_id),
     numbers AS (
       SELECT n.task_id, p.prefix || lpad(n.seq::text, greatest(4, length(n.seq::text)), '0') AS number
         FROM numbered n JOIN prefixes p USING (county_id, year))`;

/**
 * What the read models keep for the ledger: the tasks' numbers (`task_numbers`, from version 16 of the tasks
 * projection) and what their events said (`task_texts`, from version 4 of the audit). After an upgrade from an earlier
 * version, the generation before serves until the new one is built, and it has no such table: the numbers are then
 * worked out from the task rows ({@link NUMBERS_WORKED_OUT}) and the texts read from the audit's entries
 * ({@link TEXTS_FROM_ENTRIES}), more slowly.
 */
interface Kept {
  readonly numbers: boolean;
  readonly texts: boolean;
}

async function keptFor(sql: ProjectionSql): Promise<Kept> {
  const { rows } = await sql.query<Kept>(
    "SELECT to_regclass('read_models.task_numbers') IS NOT NULL AS numbers, " +
      "to_regclass('read_models.task_texts') IS NOT NULL AS texts",
  );
  return rows[0]!;
}

/**
 * The rows `task_numbers` keeps for the tasks `asked` (an array parameter) and every other task of their counties and
 * years, worked out from the task rows: the regions of the counties asked for, their tasks, and each numbered in the
 * order of its first version (its assignment as stored). The same numbers, read more slowly: numbering every task of
 * the counties took a 20,000-task export a fifth of a second of the database (the first versions looked up one by
 * one), more than the rest of its rows.
 */
const NUMBERS_WORKED_OUT = (asked: string) => `(
  WITH asked_counties AS (
    SELECT DISTINCT coalesce(${REGION_OF_LEVEL('t.region_id', "'county'")}, t.region_id) AS county_id
      FROM (SELECT DISTINCT region_id FROM read_models.tasks WHERE task_id = ANY(${asked}::uuid[])) t),
  area AS MATERIALIZED (
    SELECT g.id AS region_id, coalesce(${REGION_OF_LEVEL('g.id', "'county'")}, g.id) AS county_id
      FROM regions g WHERE g.path && ARRAY(SELECT county_id FROM asked_counties)),
  placed AS (
    SELECT v.task_id, a.county_id, extract(year FROM ${DATE_OF('v.assigned_at')})::int AS year
      FROM read_models.tasks v JOIN area a ON a.region_id = v.region_id),
  asked_years AS (SELECT DISTINCT county_id, year FROM placed WHERE task_id = ANY(${asked}::uuid[]))
  SELECT p.task_id, p.county_id, p.year,
         row_number() OVER (PARTITION BY p.county_id, p.year ORDER BY
           (SELECT f.position FROM read_models.task_versions f WHERE f.task_id = p.task_id
             ORDER BY f.version LIMIT 1), p.task_id)::int AS seq
    FROM placed p JOIN asked_years USING (county_id, year))`;

/**
 * `texts`: the last measures, plan and progress (its Beijing day and note) of each task `asked` (an array parameter)
 * said by the instant `at`, from what the audit keeps of them (`task_texts`).
 */
const TEXTS_KEPT = (asked: string, at: string) => `
     said AS (
       SELECT DISTINCT ON (s.task_id, s.kind) s.task_id, s.kind, s.occurred_at, s.text
         FROM read_models.task_texts s
        WHERE s.task_id = ANY(${asked}::uuid[]) AND s.occurred_at <= ${at}
        ORDER BY s.task_id, s.kind, s.position DESC),
     texts AS (
       SELECT task_id, ${TEXT_OF('measures')} AS measures, ${TEXT_OF('plan')} AS plan,
              ${TEXT_OF('progress')} AS progress
         FROM said
        GROUP BY task_id)`;

/**
 * `texts` as {@link TEXTS_KEPT}, read from the entries of the tasks' streams and their data; by stream, in the order
 * the entries were sorted in, the task's id read off its stream's name. The streams' names (`prefix` and the id) are
 * made by the database: 20,000 of them were a megabyte of parameter to write.
 */
const TEXTS_FROM_ENTRIES = (asked: string, at: string, prefix: string) => `
     said AS (
       SELECT DISTINCT ON (e.stream_name, e.kind) e.stream_name, e.kind, e.occurred_at, e.text
         FROM (SELECT stream_name, position, occurred_at,
                      CASE type WHEN 'RectificationTaskAssigned' THEN 'measures'
                        WHEN 'RectificationTaskPlanRecorded' THEN 'plan'
                        WHEN 'RectificationTaskProgressReported' THEN 'progress'
                        WHEN 'RectificationTaskSubmitted' THEN 'progress' END AS kind,
                      coalesce(data->>'measures', data->>'plan', data->>'note', data->>'report') AS text
                 FROM read_models.audit_entries
                WHERE stream_name = ANY(ARRAY(SELECT ${prefix} || id::text FROM unnest(${asked}::uuid[]) id))
                  AND occurred_at <= ${at}) e
        -- By kind, not type: the index on type matches 40,000 entries where the streams' own are 2,000.
        WHERE e.kind IS NOT NULL AND e.text <> ''
        ORDER BY e.stream_name, e.kind, e.position DESC),
     texts AS (
       SELECT substr(stream_name, length(${prefix}) + 1)::uuid AS task_id, ${TEXT_OF('measures')} AS measures,
              ${TEXT_OF('plan')} AS plan, ${TEXT_OF('progress')} AS progress
         FROM said
        GROUP BY stream_name)`;

/** A day (an SQL date) as the ledger writes it: YYYY-MM-DD. */
const DAY = (date: string) => `to_char(${date}, 'YYYY-MM-DD')`;

/** A task's last text of `kind` (its one row of the kind in `said`); a progress with its Beijing day before it. */
const TEXT_OF = (kind: 'measures' | 'plan' | 'progress') =>
  kind === 'progress'
    ? `min(${DAY(DATE_OF('occurred_at'))} || ' ' || text) FILTER (WHERE kind = 'progress')`
    : `min(text) FILTER (WHERE kind = '${kind}')`;

/**
 * The query of `ledgerRows`: its rows in the order of `ids`, each row carrying its place among them from the first join
 * and sorted once at the end (where the rows had been worked out apart, kept, and joined to their places again: a
 * tenth of the query), with their numbers and texts as the read models keep them (`kept`), or else as worked out from
 * what they keep.
 */
function ledgerQuery(ids: readonly string[], options: ListOptions, kept: Kept): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const asked = params.add(ids);
  const at = `${params.add(options.at.toISOString())}::timestamptz`;
  const today = `${params.add(shanghaiDateOf(options.at))}::date`;
  const warn = `${params.add(options.warningDays)}::int`;
  const text = `WITH ${NUMBERED(kept.numbers ? 'read_models.task_numbers' : NUMBERS_WORKED_OUT(asked), asked)},
     ${kept.texts ? TEXTS_KEPT(asked, at) : TEXTS_FROM_ENTRIES(asked, at, `${params.add(taskStreamName(''))}::text`)}
     SELECT v.task_id AS id, n.number, v.title, coalesce(c.name, v.category) AS category, r.name AS region,
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
            ${DAY(DATE_OF('v.assigned_at'))} AS "assignedOn", ${DAY('v.deadline')} AS deadline,
            ${DAY('v.original_deadline')} AS "originalDeadline", v.status, ${LIGHT('v', today, warn)} AS light,
            v.send_back_count AS "sendBackCount", ${DAY(DATE_OF('v.closed_at'))} AS "closedOn"
       FROM unnest(${asked}::uuid[]) WITH ORDINALITY o(id, n)
       JOIN ${options.current ? 'read_models.tasks' : 'read_models.task_versions'} v ON v.task_id = o.id
       LEFT JOIN regions r ON r.id = v.region_id
       LEFT JOIN units u ON u.id = v.lead_unit_id
       LEFT JOIN categories c ON c.code = v.category
       LEFT JOIN read_models.campaigns k ON k.campaign_id = v.campaign_id
       LEFT JOIN texts t ON t.task_id = v.task_id
       LEFT JOIN numbers n ON n.task_id = v.task_id
      WHERE v.task_id = ANY(${asked}::uuid[])${options.current ? '' : ` AND ${VALID_AT('v', at)}`}
      ORDER BY o.n`;
  return { text, values: params.values };
}
