import { ProjectionSql, Reach } from '@zhenggai/application';
import { SqlParams } from './sql-params';
import { RegionLevel, shanghaiDateOf } from '@zhenggai/domain';
import { IN_REGION_SUBTREE, OF_UNIT, WITHIN_REACH, WITHIN_REGION } from './reach.sql';
import { RegionOfLevel, rollUpByRegionLevel } from './region-levels';
import { OWN_TARGET, ROLLED_UP_DONE } from './roll-up.sql';
import { DUE_AT, LIGHT, Light, LIGHTS, OVERDUE, VALID_AT } from './traffic-light.sql';
import { EPOCH_MS } from './local-date.sql';
import {
  AFTER_CURSOR,
  firstByUrgency,
  ListCursor,
  listCursorAfter,
  ListOrder,
  ORDER_OF,
  URGENCY_ORDER,
} from './urgency.sql';

export { LIGHTS, type Light } from './traffic-light.sql';
export { LIST_CURSOR, LIST_ORDERS, parseListCursor, type ListCursor, type ListOrder } from './urgency.sql';

export interface TaskFilter {
  readonly status?: readonly string[];
  readonly unitId?: string;
  /** The region and everything below it. */
  readonly regionId?: string;
  readonly category?: string;
  readonly campaignId?: string;
  readonly findingId?: string;
  readonly dueBefore?: string;
  readonly dueAfter?: string;
  readonly overdue?: boolean;
  readonly light?: readonly Light[];
  /** Words in the title or measures. */
  readonly text?: string;
  /** Only tasks a unit user may see: led by, or cooperating with, this unit. */
  readonly visibleToUnitId?: string;
  /** Only tasks in this region's subtree: an inspector's or a leader's jurisdiction. */
  readonly scopeRegionId?: string;
}

export interface Page {
  readonly page: number;
  readonly pageSize: number;
  /**
   * A list's `next`: the page of the tasks after that one, in the same order (keyset paging, read by index however
   * deep the page); `page` is then not read.
   */
  readonly after?: ListCursor;
}

/** How `TaskQueries.list` answers. */
export interface ListOptions {
  /** The instant the list is asked about. */
  readonly at: Date;
  /** 黄灯: days before its deadline a task turns yellow. */
  readonly warningDays: number;
  /**
   * `at` is now: the current rows answer, and the per-deadline counts the summary where the filter allows (the
   * versions valid at `at` otherwise).
   */
  readonly current?: boolean;
  /** Count the matching tasks by region too, rolled up to each of these levels (市 › 县 › 乡镇 › 村). */
  readonly byRegionLevel?: readonly RegionLevel[];
  /** Count the matching tasks by the unit leading each too (the cockpit's 各单位). */
  readonly byUnit?: boolean;
  /** By deadline (the default) or by urgency: overdue, 待签收, 待验收, the other open tasks, then the ended ones. */
  readonly order?: ListOrder;
}

/**
 * The tasks matching a filter in one region of a level asked (or in a place above it that holds tasks itself: see
 * {@link rollUpByRegionLevel}), each task counted once, in the region of its place: the rows of a level add up to the
 * list's `total` and `summary`; quantities are each task's own part (target less the shares handed down, its own
 * reported work), cancelled tasks left out, so they add up to the campaign's target without counting a share twice.
 */
export type RegionLights = RegionOfLevel & {
  tasks: number;
  summary: Record<Light, number>;
  quantityTarget: number | null;
  quantityDone: number | null;
};

/**
 * The tasks matching a filter that one unit leads, by light: the units' rows add up to the list's `total` and
 * `summary`. Read from the per-deadline counts where the filter allows, as the summary is: as quick for a campaign of
 * a million tasks as for one of ten.
 */
export interface UnitLights {
  readonly unitId: string;
  readonly unitName: string | null;
  readonly tasks: number;
  readonly summary: Record<Light, number>;
}

export interface TaskRow {
  readonly id: string;
  readonly findingId: string;
  readonly title: string;
  readonly status: string;
  readonly light: Light;
  readonly regionId: string;
  readonly regionName: string | null;
  readonly category: string;
  readonly leadUnitId: string;
  readonly leadUnitName: string | null;
  readonly cooperatingUnitIds: string[];
  readonly deadline: string;
  readonly originalDeadline: string;
  readonly dueAt: string;
  readonly campaignId: string | null;
  readonly target: { quantity: number; unit: string } | null;
  /** Done against `target`, rolled up: the unit's own reported work and what its sub-tasks have had verified. */
  readonly quantityDone: number | null;
  /** The unit's own reported work (what progress reports and submissions carry); `quantityDone` without a tree. */
  readonly ownQuantityDone: number | null;
  readonly sendBackCount: number;
  /** 被退回: the reason, while the unit's submission stands sent back (until it submits again); else null. */
  readonly sentBackReason: string | null;
  /** 逐级分解: 0 for a top-level task, 1 for its sub-tasks, and so on. */
  readonly depth: number;
  readonly parentTaskId: string | null;
  /** The parent task's title (what a sub-task answers to); null at the top. */
  readonly parentTitle: string | null;
  /** 逐级分解: the unit that handed this sub-task out (and verifies it); null for a top-level task. */
  readonly assigningUnitId: string | null;
  readonly assignedAt: string;
  readonly closedAt: string | null;
  /** The task's revision (its stream's, as an ETag gives it) now; as of a past instant, its version's then. */
  readonly revision: number;
}

const ROW_COLUMNS = (today: string, warn: string, at: string) => `
  v.task_id AS id, v.finding_id AS "findingId", v.title, v.status, ${LIGHT('v', today, warn)} AS light,
  v.region_id AS "regionId", r.name AS "regionName", v.category, v.lead_unit_id AS "leadUnitId",
  u.name AS "leadUnitName", v.cooperating_unit_ids AS "cooperatingUnitIds",
  to_char(v.deadline, 'YYYY-MM-DD') AS deadline,
  to_char(v.original_deadline, 'YYYY-MM-DD') AS "originalDeadline", ${EPOCH_MS(DUE_AT('v'))} AS "dueAt",
  v.campaign_id AS "campaignId", v.target_quantity::float8 AS "targetQuantity", v.target_unit AS "targetUnit",
  (${ROLLED_UP_DONE('v', at)})::float8 AS "quantityDone", v.quantity_done::float8 AS "ownQuantityDone",
  v.send_back_count AS "sendBackCount", v.sent_back_reason AS "sentBackReason", v.depth,
  v.parent_task_id AS "parentTaskId",
  (SELECT p.title FROM read_models.tasks p WHERE p.task_id = v.parent_task_id) AS "parentTitle",
  v.assigning_unit_id AS "assigningUnitId", ${EPOCH_MS('v.assigned_at')} AS "assignedAt",
  ${EPOCH_MS('v.closed_at')} AS "closedAt",
  CASE WHEN v.valid_to IS NULL
    THEN (SELECT s.version FROM read_models.task_states s WHERE s.task_id = v.task_id) ELSE v.version END AS revision`;

/**
 * The version of a task before the version row `alias` (none for its first): a version begins only where what a row
 * holds changed, so the one before is not always `version - 1` (a reminder level recorded adds none).
 */
const VERSION_BEFORE = (alias: string) => `SELECT p.deadline, p.reopen_count FROM read_models.task_versions p
   WHERE p.task_id = ${alias}.task_id AND p.version < ${alias}.version ORDER BY p.version DESC LIMIT 1`;

/**
 * The questions leadership and units ask, answered from the `tasks` read model (views in `read_models`), now or
 * as of a past instant. Colours are computed at query time, so they change as the clock moves, not only when
 * events arrive.
 */
export class TaskQueries {
  constructor(private readonly sql: ProjectionSql) {}

  /**
   * Tasks matching the filter as they stand at `at`, in `options.order`, one page, with the count of each light;
   * `next`, the cursor of the page after it (null on the last).
   */
  async list(
    filter: TaskFilter,
    page: Page,
    options: ListOptions,
  ): Promise<{
    items: TaskRow[];
    next: string | null;
    total: number;
    summary: Record<Light, number>;
    byRegionLevel?: Partial<Record<RegionLevel, RegionLights[]>>;
    byUnit?: UnitLights[];
  }> {
    const { at, current = false, byRegionLevel, byUnit, order = 'deadline' } = options;
    const params = new SqlParams();
    const source = sourceOf(filter, params, options, await this.searchedMeasures(filter));
    const { today, warn, filters, onTask, unit, ofUnit, from, conditions } = source;
    const where = `${from} ${whereOf(conditions)}`;
    // The per-deadline counts hold the columns of every filter they can answer, under the same names; so do a unit's
    // rows of who reaches what, for the filters on a task's light alone.
    const fromCounts = current && countedByDeadline(filter);
    const counts = fromCounts
      ? `SELECT ${LIGHT('v', today, warn)} AS light, sum(v.n) AS n FROM ` +
        `read_models.task_deadline_counts v ${whereOf(filters)} GROUP BY 1`
      : unit && onTask.length === 0
        ? `SELECT ${LIGHT('r', today, warn)} AS light, sum(r.n) AS n FROM read_models.task_reach_counts r ` +
          `${whereOf(ofUnit)} GROUP BY 1`
        : `SELECT ${LIGHT('v', today, warn)} AS light, count(*) AS n FROM ${where} GROUP BY 1`;
    const byRegionQuery = fromCounts
      ? `SELECT v.region_id AS "regionId", ${LIGHT('v', today, warn)} AS light, sum(v.n)::int AS n,
                (CASE WHEN coalesce(sum(v.target_n) FILTER (WHERE v.status <> 'cancelled'), 0) = 0 THEN NULL
                  ELSE sum(v.own_target) FILTER (WHERE v.status <> 'cancelled') END)::float8 AS target,
                (CASE WHEN coalesce(sum(v.done_n) FILTER (WHERE v.status <> 'cancelled'), 0) = 0 THEN NULL
                  ELSE sum(v.own_done) FILTER (WHERE v.status <> 'cancelled') END)::float8 AS done
           FROM read_models.task_deadline_counts v ${whereOf(filters)} GROUP BY 1, 2`
      : null;
    const byUnitQuery = fromCounts
      ? `SELECT v.lead_unit_id AS "unitId", ${LIGHT('v', today, warn)} AS light, sum(v.n)::int AS n
           FROM read_models.task_deadline_counts v ${whereOf(filters)} GROUP BY 1, 2`
      : `SELECT v.lead_unit_id AS "unitId", ${LIGHT('v', today, warn)} AS light, count(*)::int AS n
           FROM ${where} GROUP BY 1, 2`;
    const counted = params.values.length;
    // One row more than the page: whether there is a next one.
    const limit = params.add(page.pageSize + 1);
    const skipped = page.after ? 0 : (page.page - 1) * page.pageSize;
    const offset = skipped ? ` OFFSET ${params.add(skipped)}` : '';
    const after = page.after && {
      band: page.after.band,
      deadline: `${params.add(page.after.deadline)}::date`,
      id: `${params.add(page.after.id)}::uuid`,
    };
    const rolledUpAt = `${params.add(at.toISOString())}::timestamptz`;
    const key = unit ? 'r' : 'v';
    // By urgency now, a page is taken from the first rows of each status on each side of today, read in index order.
    const first = order === 'urgency' && current ? params.add(skipped + page.pageSize + 1) : null;
    const pageOf = (select: string, source: string, where: readonly string[]) =>
      first
        ? `SELECT * FROM (${firstByUrgency(select, source, where, key, today, first, filter, after)}) u
             ORDER BY ${URGENCY_ORDER('u', today)} LIMIT ${limit}${offset}`
        : `SELECT ${select} FROM ${source}
             ${whereOf(after ? [...where, AFTER_CURSOR(order, key, today, after)] : where)}
            ORDER BY ${ORDER_OF(order, key, today)} LIMIT ${limit}${offset}`;
    // A unit's page without filters beyond the light is found in its rows alone (a deep page skips index entries,
    // not tasks), and only its tasks are read; a page by urgency merges and sorts only what orders it.
    const reachOnly = unit && onTask.length === 0;
    const pageQuery =
      reachOnly || first
        ? `SELECT v.* FROM (${pageOf(
            `${key}.task_id, ${key}.status, ${key}.deadline`,
            reachOnly ? 'read_models.task_reach r' : from,
            reachOnly ? ofUnit : conditions,
          )}) p JOIN read_models.tasks v ON v.task_id = p.task_id`
        : pageOf('v.*', from, conditions);
    const [items, totals, byRegion, unitRows] = await Promise.all([
      this.sql.query(
        `SELECT ${ROW_COLUMNS(today, warn, rolledUpAt)}
           FROM (${pageQuery}) v
           LEFT JOIN regions r ON r.id = v.region_id
           LEFT JOIN units u ON u.id = v.lead_unit_id
          ORDER BY ${ORDER_OF(order, 'v', today)}`,
        params.values,
      ),
      this.sql.query<{ light: Light; n: string }>(counts, params.values.slice(0, counted)),
      byRegionLevel?.length && byRegionQuery
        ? this.sql.query<{ regionId: string; light: Light; n: number; target: number | null; done: number | null }>(
            byRegionQuery,
            params.values.slice(0, counted),
          )
        : byRegionLevel?.length
          ? this.sql.query<{ regionId: string; light: Light; n: number; target: number | null; done: number | null }>(
              `SELECT v.region_id AS "regionId", ${LIGHT('v', today, warn)} AS light, count(*)::int AS n,
                    sum(${OWN_TARGET('v', `$${counted + 1}::timestamptz`)})
                      FILTER (WHERE v.status <> 'cancelled')::float8 AS target,
                    sum(v.quantity_done) FILTER (WHERE v.status <> 'cancelled')::float8 AS done
               FROM ${where} GROUP BY 1, 2`,
              [...params.values.slice(0, counted), at.toISOString()],
            )
          : null,
      byUnit
        ? this.sql.query<{ unitId: string; light: Light; n: number }>(byUnitQuery, params.values.slice(0, counted))
        : null,
    ]);
    const summary = noLights();
    for (const row of totals.rows) summary[row.light] = Number(row.n);
    const rows = items.rows.slice(0, page.pageSize).map(toTaskRow);
    const last = rows[rows.length - 1];
    return {
      items: rows,
      next: items.rows.length > page.pageSize ? listCursorAfter(order, last, shanghaiDateOf(at)) : null,
      total: Object.values(summary).reduce((a, b) => a + b, 0),
      summary,
      ...(byRegion && { byRegionLevel: await this.lightsByRegionLevel(byRegion.rows, byRegionLevel!) }),
      ...(unitRows && { byUnit: await this.lightsByUnit(unitRows.rows) }),
    };
  }

  /** Each unit's rows of lights as one, named; the units with the most red first, then yellow, then by name. */
  private async lightsByUnit(rows: ReadonlyArray<{ unitId: string; light: Light; n: number }>): Promise<UnitLights[]> {
    const byUnit = new Map<string, Record<Light, number>>();
    for (const { unitId, light, n } of rows) {
      const summary = byUnit.get(unitId) ?? noLights();
      summary[light] += n;
      byUnit.set(unitId, summary);
    }
    const { rows: named } = await this.sql.query<{ id: string; name: string }>(
      'SELECT id, name FROM units WHERE id = ANY($1::uuid[])',
      [[...byUnit.keys()]],
    );
    const names = new Map(named.map((unit) => [unit.id, unit.name]));
    return [...byUnit]
      .map(([unitId, summary]) => ({
        unitId,
        unitName: names.get(unitId) ?? null,
        tasks: Object.values(summary).reduce((a, b) => a + b, 0),
        summary,
      }))
      .sort(
        (a, b) =>
          b.summary.red - a.summary.red ||
          b.summary.yellow - a.summary.yellow ||
          (a.unitName ?? '').localeCompare(b.unitName ?? '', 'zh') ||
          a.unitId.localeCompare(b.unitId),
      );
  }

  /**
   * The ids of every task `list` answers for the filter at `options.at` (every page, in its order), at most `limit`:
   * what an export reads first, then their ledger rows a chunk at a time (`ledgerRows`), never paging by offset.
   */
  async ids(filter: TaskFilter, options: ListOptions, limit: number): Promise<string[]> {
    const params = new SqlParams();
    const measures = await this.searchedMeasures(filter);
    const { today, warn, onTask, unit, ofUnit, from, conditions } = sourceOf(filter, params, options, measures);
    const key = unit ? 'r' : 'v';
    const reachOnly = unit && onTask.length === 0;
    // The day and the warning window are bound (and typed) whether or not a filter or the order takes them.
    const { rows } = await this.sql.query<{ id: string }>(
      `SELECT ${key}.task_id AS id FROM ${reachOnly ? 'read_models.task_reach r' : from}
              CROSS JOIN (SELECT ${today} AS today, ${warn} AS warn) bound
         ${whereOf(reachOnly ? ofUnit : conditions)}
        ORDER BY ${ORDER_OF(options.order ?? 'deadline', key, today)} LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((row) => row.id);
  }

  private async lightsByRegionLevel(
    rows: ReadonlyArray<{ regionId: string; light: Light; n: number; target: number | null; done: number | null }>,
    levels: readonly RegionLevel[],
  ): Promise<Partial<Record<RegionLevel, RegionLights[]>>> {
    const rolled = await rollUpByRegionLevel(
      this.sql,
      rows.map(({ regionId, light, n, target, done }) => ({
        regionId,
        figures: { tasks: n, ...noLights(), [light]: n, quantityTarget: target, quantityDone: done },
      })),
      levels,
    );
    const answer: Partial<Record<RegionLevel, RegionLights[]>> = {};
    for (const level of levels)
      answer[level] = rolled[level]!.map((row) => {
        const { regionId, regionName, regionLevel, tasks, quantityTarget, quantityDone } = row;
        const summary = Object.fromEntries(LIGHTS.map((l) => [l, row[l]])) as Record<Light, number>;
        return { regionId, regionName, regionLevel, tasks, summary, quantityTarget, quantityDone };
      }).sort(
        (a, b) =>
          b.summary.red - a.summary.red ||
          b.summary.yellow - a.summary.yellow ||
          (a.regionName ?? '').localeCompare(b.regionName ?? '', 'zh') ||
          a.regionId.localeCompare(b.regionId),
      );
    return answer;
  }

  /**
   * The send-backs (退回重办) and approved extensions (延期: a new deadline without a reopening) recorded in
   * [`from`, `to`), of tasks in `scopeRegionId`'s subtree (null: anywhere): what the daily digest reports of a day.
   */
  async handOversBetween(
    from: Date,
    to: Date,
    scopeRegionId: string | null,
  ): Promise<{ sendBacks: number; extensions: number }> {
    const { rows } = await this.sql.query<{ sendBacks: number; extensions: number }>(
      `SELECT count(*) FILTER (WHERE v.sent_back)::int AS "sendBacks",
              count(*) FILTER (WHERE p.deadline <> v.deadline AND p.reopen_count = v.reopen_count)::int AS extensions
         FROM read_models.task_versions v
         LEFT JOIN LATERAL (${VERSION_BEFORE('v')}) p ON true
        WHERE v.valid_from >= $1::timestamptz AND v.valid_from < $2::timestamptz
          AND ${WITHIN_REGION('v.region_id', '$3')}`,
      [from.toISOString(), to.toISOString(), scopeRegionId],
    );
    return rows[0] ?? { sendBacks: 0, extensions: 0 };
  }

  /**
   * The send-backs and approved extensions of {@link handOversBetween} one by one (a bulletin names them), of tasks in
   * `scopeRegionId`'s subtree and, given, of one campaign: the first `limit` of each kind by when they happened, and
   * how many there were.
   */
  async handOverList(
    from: Date,
    to: Date,
    scope: { regionId: string | null; campaignId: string | null },
    limit: number,
  ): Promise<Record<'sendBacks' | 'extensions', { total: number; rows: HandOverRow[] }>> {
    const { rows } = await this.sql.query<HandOverRow & { kind: 'sendBacks' | 'extensions'; total: number }>(
      `WITH h AS (
         SELECT v.task_id, v.title, v.lead_unit_id, v.region_id, v.valid_from, v.deadline, v.sent_back_reason,
                CASE WHEN v.sent_back THEN 'sendBacks' ELSE 'extensions' END AS kind,
                p.deadline AS previous_deadline
           FROM read_models.task_versions v
           LEFT JOIN LATERAL (${VERSION_BEFORE('v')}) p ON true
          WHERE v.valid_from >= $1::timestamptz AND v.valid_from < $2::timestamptz
            AND ${WITHIN_REGION('v.region_id', '$3')}
            AND ($4::uuid IS NULL OR v.campaign_id = $4::uuid)
            AND (v.sent_back OR (p.deadline <> v.deadline AND p.reopen_count = v.reopen_count)))
       SELECT * FROM (
         SELECT h.task_id AS "taskId", h.title, u.name AS "unitName", r.name AS "regionName",
                to_char(h.deadline, 'YYYY-MM-DD') AS deadline, h.valid_from AS "at", h.kind,
                to_char(h.previous_deadline, 'YYYY-MM-DD') AS "previousDeadline", h.sent_back_reason AS reason,
                count(*) OVER (PARTITION BY h.kind)::int AS total,
                row_number() OVER (PARTITION BY h.kind ORDER BY h.valid_from, h.task_id) AS n
           FROM h LEFT JOIN units u ON u.id = h.lead_unit_id LEFT JOIN regions r ON r.id = h.region_id) x
        WHERE x.n <= $5
        ORDER BY x.kind, x.n`,
      [from.toISOString(), to.toISOString(), scope.regionId, scope.campaignId, limit],
    );
    const answer = {
      sendBacks: { total: 0, rows: [] as HandOverRow[] },
      extensions: { total: 0, rows: [] as HandOverRow[] },
    };
    for (const { kind, total, ...row } of rows) {
      delete (row as { n?: unknown }).n;
      answer[kind].total = total;
      answer[kind].rows.push({ ...row, at: new Date(row.at).toISOString() });
    }
    return answer;
  }

  /** The task's current state as the read model has it, with its revision; null when unknown. */
  async taskState(taskId: string): Promise<{ state: any; revision: number } | null> {
    const { rows } = await this.sql.query<{ state: any; version: number }>(
      'SELECT state, version FROM read_models.task_states WHERE task_id = $1',
      [taskId],
    );
    return rows[0] ? { state: rows[0].state, revision: rows[0].version } : null;
  }

  /**
   * What the task's verified sub-tasks add to its own work at `at` (their quantities rolled up, recursively): null
   * when none has a quantity, or the task is not in the read model (yet).
   */
  async verifiedBelow(taskId: string, at: Date): Promise<number | null> {
    const { rows } = await this.sql.query<{ below: number | null }>(
      `SELECT ((${ROLLED_UP_DONE('v', '$2::timestamptz')}) - coalesce(v.quantity_done, 0))::float8 AS below
         FROM read_models.task_versions v WHERE v.task_id = $1::uuid AND ${VALID_AT('v', '$2::timestamptz')}`,
      [taskId, at.toISOString()],
    );
    return rows[0]?.below ?? null;
  }

  /**
   * Every task of the tree under `rootTaskId` as it stood at `at` (逐级分解), parents before their sub-tasks: each
   * with its light, its own part of the target and its work, own and rolled up. Reach is the caller's to apply.
   */
  async tree(rootTaskId: string, at: Date, warningDays: number): Promise<TaskTreeNode[]> {
    const { rows } = await this.sql.query(
      `SELECT v.task_id AS id, v.title, v.status, ${LIGHT('v', '$3::date', '$4::int')} AS light,
              to_char(v.deadline, 'YYYY-MM-DD') AS deadline, v.depth, v.parent_task_id AS "parentTaskId",
              v.region_id AS "regionId", r.name AS "regionName", v.lead_unit_id AS "leadUnitId",
              u.name AS "leadUnitName", v.cooperating_unit_ids AS "cooperatingUnitIds",
              v.assigning_unit_id AS "assigningUnitId", v.target_quantity::float8 AS "targetQuantity",
              v.target_unit AS "targetUnit", (${OWN_TARGET('v', '$2::timestamptz')})::float8 AS "ownTarget",
              (${ROLLED_UP_DONE('v', '$2::timestamptz')})::float8 AS "quantityDone",
              v.quantity_done::float8 AS "ownQuantityDone"
         FROM read_models.task_versions v
         LEFT JOIN regions r ON r.id = v.region_id
         LEFT JOIN units u ON u.id = v.lead_unit_id
        WHERE v.root_task_id = $1::uuid AND ${VALID_AT('v', '$2::timestamptz')}
        ORDER BY v.depth, v.assigned_at, v.task_id`,
      [rootTaskId, at.toISOString(), shanghaiDateOf(at), warningDays],
    );
    // A node with a target has done 0 of it until work is reported (or verified below); null only without a target.
    return rows.map(({ targetQuantity, targetUnit, ownTarget, quantityDone, ownQuantityDone, ...node }: any) =>
      targetQuantity === null
        ? { ...node, target: null, ownTarget: null, quantityDone: null, ownQuantityDone: null }
        : {
            ...node,
            target: { quantity: targetQuantity, unit: targetUnit },
            ownTarget: { quantity: ownTarget, unit: targetUnit },
            quantityDone: quantityDone ?? 0,
            ownQuantityDone: ownQuantityDone ?? 0,
          },
    );
  }

  async tasksOfFinding(findingId: string): Promise<Array<{ state: any; revision: number }>> {
    const { rows } = await this.sql.query<{ state: any; version: number }>(
      'SELECT state, version FROM read_models.task_states WHERE finding_id = $1 ORDER BY assigned_at, task_id',
      [findingId],
    );
    return rows.map((r) => ({ state: r.state, revision: r.version }));
  }

  /**
   * Per unit, as things stood at `at`. Each figure is charged to the unit it says something about, so that
   * handing a task to another unit (改派) moves its work, not its history:
   * - `open`, `overdue`: the tasks the unit leads at `at` that are not closed or cancelled, and of those the ones
   *   past their deadline: what waits on the unit now. A task handed over moves with its deadline, overdue or not.
   * - `closed`, `closedOnTime`, `closedLate`, `onTimeRate`: the tasks signed off as the unit's work (it led them
   *   at sign-off), on time when signed off by the end of the deadline then in force. A reopened task counts
   *   again only once it is signed off again.
   * - `averageDaysToClose`: over those tasks, days from when the unit was given the task (its assignment, or the
   *   reassignment to it) to the sign-off; a handed-over task does not bring its earlier units' days with it.
   * - `sendBacks`: every send-back (退回重办) up to `at`, charged to the unit that led the task when its work was
   *   sent back, and kept by it after the task moves on or is cancelled.
   * A unit appears when any figure has something to say about it.
   *
   * `current`: `at` is now, and the figures are summed from the counts the tasks read model keeps as the events
   * arrive (per lead unit, region, status and deadline; the send-backs per lead unit and region) rather than counted
   * over every version; within a unit's reach, from its rows of who reaches what and its tasks as they stand (its
   * send-backs are still counted over the versions sent back).
   */
  async scoreboard(at: Date, reach: Reach = {}, options: { current?: boolean } = {}): Promise<ScoreboardRow[]> {
    const counted = options.current === true && (await this.keepsScoreboardCounts());
    if (counted && !reach.unitId) return this.countedScoreboard(at, reach);
    // A unit's reach now: its rows of who reaches what and its tasks' current rows, not every version.
    const held = counted
      ? `read_models.task_reach r JOIN read_models.tasks v ON v.task_id = r.task_id
          WHERE r.unit_id = $4::uuid AND ${WITHIN_REGION('v.region_id', '$3')}`
      : `read_models.task_versions v WHERE ${VALID_AT('v', '$1::timestamptz')} AND ${WITHIN_REACH('v', '$3', '$4')}`;
    const handOvers = await this.keepsHandOvers();
    // Until an upgraded store's read model is rebuilt (version 2 has neither column), it serves the figures it can.
    const since = handOvers ? 'v.lead_since' : 'v.assigned_at';
    const sentBack = handOvers
      ? `SELECT v.lead_unit_id AS unit_id, count(*)::int AS n FROM read_models.task_versions v
          WHERE v.sent_back AND v.valid_from <= $1::timestamptz AND ${WITHIN_REACH('v', '$3', '$4')} GROUP BY
            v.lead_unit_id`
      : `SELECT v.lead_unit_id AS unit_id, sum(v.send_back_count)::int AS n FROM read_models.task_versions v
          WHERE ${VALID_AT('v', '$1::timestamptz')} AND ${WITHIN_REACH('v', '$3', '$4')} GROUP BY v.lead_unit_id`;
    return this.scoreboardOf(
      `WITH held AS (
         SELECT v.lead_unit_id AS unit_id,
                count(*) FILTER (WHERE v.status NOT IN ('closed', 'cancelled'))::int AS open,
                count(*) FILTER (WHERE ${OVERDUE('v', '$2::date')})::int AS overdue,
                count(*) FILTER (WHERE v.status = 'closed')::int AS closed,
                count(*) FILTER (WHERE v.status = 'closed' AND v.closed_on_time)::int AS closed_on_time,
                count(*) FILTER (WHERE v.status = 'closed' AND NOT v.closed_on_time)::int AS closed_late,
                round(avg(extract(epoch FROM v.closed_at - ${since}) / 86400) FILTER (WHERE v.status =
                  'closed')::numeric, 1)::float8 AS average_days
           FROM ${held}
          GROUP BY v.lead_unit_id),
       sent_back AS (${sentBack})`,
      [at.toISOString(), shanghaiDateOf(at), reach.regionId ?? null, reach.unitId ?? null],
    );
  }

  /** The scoreboard now, within a reach by region, from the per-deadline counts and the send-back counts. */
  private countedScoreboard(at: Date, reach: Reach): Promise<ScoreboardRow[]> {
    const closed = `FILTER (WHERE c.status = 'closed')`;
    return this.scoreboardOf(
      `WITH held AS (
         SELECT c.lead_unit_id AS unit_id,
                coalesce(sum(c.n) FILTER (WHERE c.status NOT IN ('closed', 'cancelled')), 0)::int AS open,
                coalesce(sum(c.n) FILTER (WHERE ${OVERDUE('c', '$1::date')}), 0)::int AS overdue,
                coalesce(sum(c.n) ${closed}, 0)::int AS closed,
                coalesce(sum(c.n) FILTER (WHERE c.status = 'closed' AND c.closed_on_time), 0)::int AS closed_on_time,
                coalesce(sum(c.n) FILTER (WHERE c.status = 'closed' AND NOT c.closed_on_time), 0)::int AS closed_late,
                round(sum(c.closing_ms) ${closed} / 86400000.0 / nullif(sum(c.n) ${closed}, 0), 1)::float8
                  AS average_days
           FROM read_models.task_deadline_counts c
          WHERE ${WITHIN_REGION('c.region_id', '$2')}
          GROUP BY c.lead_unit_id),
       sent_back AS (
         SELECT s.lead_unit_id AS unit_id, sum(s.n)::int AS n FROM read_models.task_send_back_counts s
          WHERE ${WITHIN_REGION('s.region_id', '$2')} GROUP BY s.lead_unit_id)`,
      [shanghaiDateOf(at), reach.regionId ?? null],
    );
  }

  /** The scoreboard's rows from `held` and `sent_back` (per unit), as `figures` (a `WITH` clause) works them out. */
  private async scoreboardOf(figures: string, params: unknown[]): Promise<ScoreboardRow[]> {
    const { rows } = await this.sql.query(
      `${figures}
       SELECT coalesce(h.unit_id, s.unit_id) AS "unitId", u.name AS "unitName",
              coalesce(h.open, 0) AS open, coalesce(h.overdue, 0) AS overdue, coalesce(h.closed, 0) AS closed,
              coalesce(h.closed_on_time, 0) AS "closedOnTime", coalesce(h.closed_late, 0) AS "closedLate",
              h.average_days AS "averageDaysToClose", coalesce(s.n, 0) AS "sendBacks"
         FROM held h FULL JOIN sent_back s ON s.unit_id = h.unit_id
         LEFT JOIN units u ON u.id = coalesce(h.unit_id, s.unit_id)
        ORDER BY overdue DESC, open DESC, u.name, "unitId"`,
      params,
    );
    return rows.map((r: any) => ({
      ...r,
      onTimeRate: r.closed > 0 ? Math.round((1000 * r.closedOnTime) / r.closed) / 1000 : null,
    }));
  }

  private handOversKept = false;
  /** The read models' views found to exist (see `keepsView`). */
  private readonly viewsKept = new Set<string>();

  /**
   * How a search (`filter.text`) reads each task's measures: from `task_measures` (version 19 of the tasks
   * projection), the text as kept. A generation before it, still serving while an upgrade builds the next, has only
   * `task_states`, which merges each state with its reminder ladder before the measures are read out of it: the same
   * answer, about six times the database's work for each task whose title does not match.
   */
  private async searchedMeasures(filter: TaskFilter): Promise<MeasuresOf> {
    return filter.text && !(await this.keepsView('task_measures')) ? MEASURES_FROM_STATES : MEASURES_KEPT;
  }

  /** Whether the read model serving is of version 12 or later: it counts send-backs and the days to close. */
  private keepsScoreboardCounts(): Promise<boolean> {
    return this.keepsView('task_send_back_counts');
  }

  /**
   * Whether the read models serving have the view `name`, which a newer version of a projection added: asked of the
   * catalogue until it is there, then remembered (a generation once serving with it is never replaced by an older one).
   */
  private async keepsView(name: string): Promise<boolean> {
    if (!this.viewsKept.has(name)) {
      const { rows } = await this.sql.query(
        `SELECT 1 FROM information_schema.views WHERE table_schema = 'read_models' AND table_name = $1`,
        [name],
      );
      if (rows.length > 0) this.viewsKept.add(name);
    }
    return this.viewsKept.has(name);
  }

  /** Whether the read model serving is of version 3 or later: it knows who led each send-back and since when. */
  private async keepsHandOvers(): Promise<boolean> {
    if (!this.handOversKept) {
      const { rows } = await this.sql.query(
        'SELECT 1 FROM information_schema.columns WHERE table_schema = ' +
          `'read_models' AND table_name = 'task_versions' AND column_name = 'sent_back'`,
      );
      this.handOversKept = rows.length > 0;
    }
    return this.handOversKept;
  }
}

/** A task in its tree (`TaskQueries.tree`). */
export interface TaskTreeNode {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly light: Light;
  readonly deadline: string;
  /** 0 for the top-level task. */
  readonly depth: number;
  readonly parentTaskId: string | null;
  readonly regionId: string;
  readonly regionName: string | null;
  readonly leadUnitId: string;
  readonly leadUnitName: string | null;
  readonly cooperatingUnitIds: string[];
  readonly assigningUnitId: string | null;
  readonly target: { quantity: number; unit: string } | null;
  /** The target less the shares of its sub-tasks not cancelled: the unit's own part. */
  readonly ownTarget: { quantity: number; unit: string } | null;
  /** Own reported work plus what its sub-tasks have had verified, recursively: 0 before any; null without a target. */
  readonly quantityDone: number | null;
  /** Own reported work: 0 before any; null without a target. */
  readonly ownQuantityDone: number | null;
}

/** A send-back or an approved extension, as a bulletin names it. */
export interface HandOverRow {
  readonly taskId: string;
  readonly title: string;
  readonly unitName: string | null;
  readonly regionName: string | null;
  /** The deadline after it (an extension's new one). */
  readonly deadline: string;
  readonly at: string;
  readonly previousDeadline: string | null;
  /** A send-back's reason. */
  readonly reason: string | null;
}

export interface ScoreboardRow {
  readonly unitId: string;
  readonly unitName: string | null;
  readonly open: number;
  readonly overdue: number;
  readonly closed: number;
  readonly closedOnTime: number;
  readonly closedLate: number;
  readonly onTimeRate: number | null;
  readonly averageDaysToClose: number | null;
  readonly sendBacks: number;
}

/**
 * Where the list reads the tasks matching `filter` at `options.at` (`from`, `conditions`, on `v`, and `r` for a
 * unit's rows of who reaches what), with the SQL of the day and the warning window its lights are taken on.
 */
function sourceOf(filter: TaskFilter, params: SqlParams, options: ListOptions, measures: MeasuresOf) {
  const { at, warningDays, current = false } = options;
  const today = `${params.add(shanghaiDateOf(at))}::date`;
  const warn = `${params.add(warningDays)}::int`;
  // A unit's list now starts from its rows of who reaches what, in deadline order (see `task_reach`), which carry
  // each task's status and deadline: the filters on its light are taken on those rows, before any task is read.
  const unitNow = current && filter.visibleToUnitId ? filter.visibleToUnitId : null;
  const { onLight, rest } = byLight({ ...filter, visibleToUnitId: undefined });
  const filters = unitNow ? [] : filterClauses(filter, params, today, warn, measures);
  const onReach = unitNow ? filterClauses(onLight, params, today, warn, measures, 'r') : [];
  const onTask = unitNow ? filterClauses(rest, params, today, warn, measures) : [];
  const unit = unitNow ? `${params.add(unitNow)}::uuid` : null;
  const ofUnit = [`r.unit_id = ${unit}`, ...onReach];
  const validAt = () => VALID_AT('v', `${params.add(at.toISOString())}::timestamptz`);
  const [from, conditions]: [string, string[]] = unit
    ? ['read_models.task_reach r JOIN read_models.tasks v ON v.task_id = r.task_id', [...ofUnit, ...onTask]]
    : current
      ? ['read_models.tasks v', filters]
      : ['read_models.task_versions v', [validAt(), ...filters]];
  return { today, warn, filters, onTask, unit, ofUnit, from, conditions };
}

/** SQL of the measures (整改措施) of the task `alias`, as a search matches them. */
type MeasuresOf = (alias: string) => string;

const MEASURES_KEPT: MeasuresOf = (alias) =>
  `(SELECT m.measures FROM read_models.task_measures m WHERE m.task_id = ${alias}.task_id)`;
const MEASURES_FROM_STATES: MeasuresOf = (alias) =>
  `(SELECT s.state->>'measures' FROM read_models.task_states s WHERE s.task_id = ${alias}.task_id)`;

/**
 * The filter as SQL conditions on a task row `v` (`today` and `warn`: the date and the warning window the lights
 * are taken on), with their values added to `params`. The one builder for the task rows, their versions and the
 * per-deadline counts.
 */
function filterClauses(
  filter: TaskFilter,
  params: SqlParams,
  today: string,
  warn: string,
  measures: MeasuresOf,
  alias = 'v',
): string[] {
  const clauses: string[] = [];
  if (filter.status?.length) clauses.push(`${alias}.status = ANY(${params.add(filter.status)}::text[])`);
  if (filter.unitId) clauses.push(`${alias}.lead_unit_id = ${params.add(filter.unitId)}::uuid`);
  if (filter.visibleToUnitId) clauses.push(OF_UNIT(alias, params.add(filter.visibleToUnitId)));
  if (filter.regionId) clauses.push(IN_REGION_SUBTREE(`${alias}.region_id`, params.add(filter.regionId)));
  if (filter.scopeRegionId) clauses.push(IN_REGION_SUBTREE(`${alias}.region_id`, params.add(filter.scopeRegionId)));
  if (filter.category) clauses.push(`${alias}.category = ${params.add(filter.category)}`);
  if (filter.campaignId) clauses.push(`${alias}.campaign_id = ${params.add(filter.campaignId)}::uuid`);
  if (filter.findingId) clauses.push(`${alias}.finding_id = ${params.add(filter.findingId)}::uuid`);
  if (filter.dueBefore) clauses.push(`${alias}.deadline <= ${params.add(filter.dueBefore)}::date`);
  if (filter.dueAfter) clauses.push(`${alias}.deadline >= ${params.add(filter.dueAfter)}::date`);
  if (filter.overdue !== undefined)
    clauses.push(filter.overdue ? OVERDUE(alias, today) : `NOT ${OVERDUE(alias, today)}`);
  if (filter.light?.length) {
    clauses.push(`${LIGHT(alias, today, warn)} = ANY(${params.add(filter.light)}::text[])`);
    // Open lights only: said outright, so that an index of the open tasks serves.
    if (filter.light.every((light) => OPEN_LIGHTS.includes(light)))
      clauses.push(`${alias}.status NOT IN ('closed', 'cancelled')`);
  }
  if (filter.text) {
    const pattern = params.add(`%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    clauses.push(
      // The measures read task by task, only where the title does not match: as EXISTS, PostgreSQL hashed the state of
      // every task first, each merged with its ladder by the task_states view (0.35 s for 20,000 tasks).
      `(${alias}.title ILIKE ${pattern} OR ${measures(alias)} ILIKE ${pattern})`,
    );
  }
  return clauses;
}

const OPEN_LIGHTS: readonly Light[] = ['green', 'yellow', 'red'];

function noLights(): Record<Light, number> {
  return Object.fromEntries(LIGHTS.map((l) => [l, 0])) as Record<Light, number>;
}

function whereOf(conditions: readonly string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

const COUNTED_FILTERS = new Set([
  'unitId',
  'campaignId',
  'regionId',
  'scopeRegionId',
  'status',
  'dueBefore',
  'dueAfter',
  'overdue',
  'light',
]);

/**
 * The per-deadline counts know unit, campaign, region, status, deadline and on-time close, hence every light:
 * a category, text, finding or a unit user's own view needs the tasks themselves.
 */
function countedByDeadline(filter: TaskFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || COUNTED_FILTERS.has(key));
}

/** The filters on a task's light alone (status, deadline, overdue, light), which a unit's rows of who reaches what
 * can answer, apart from the rest. */
function byLight(filter: TaskFilter): { onLight: TaskFilter; rest: TaskFilter } {
  const { status, dueBefore, dueAfter, overdue, light, ...rest } = filter;
  return { onLight: { status, dueBefore, dueAfter, overdue, light }, rest };
}

function toTaskRow(r: any): TaskRow {
  // Field by field, in the order the list has always answered them (its JSON): an export maps 20,000 rows, and a
  // rest-and-spread copy of each cost it more than the rest of the mapping.
  return {
    id: r.id,
    findingId: r.findingId,
    title: r.title,
    status: r.status,
    light: r.light,
    regionId: r.regionId,
    regionName: r.regionName,
    category: r.category,
    leadUnitId: r.leadUnitId,
    leadUnitName: r.leadUnitName,
    cooperatingUnitIds: r.cooperatingUnitIds,
    deadline: r.deadline,
    originalDeadline: r.originalDeadline,
    campaignId: r.campaignId,
    quantityDone: r.quantityDone,
    ownQuantityDone: r.ownQuantityDone,
    sendBackCount: r.sendBackCount,
    sentBackReason: r.sentBackReason,
    depth: r.depth,
    parentTaskId: r.parentTaskId,
    parentTitle: r.parentTitle,
    assigningUnitId: r.assigningUnitId,
    revision: r.revision,
    dueAt: isoOfEpochMs(r.dueAt),
    assignedAt: isoOfEpochMs(r.assignedAt),
    closedAt: r.closedAt === null ? null : isoOfEpochMs(r.closedAt),
    target: r.targetQuantity === null ? null : { quantity: r.targetQuantity, unit: r.targetUnit },
  };
}

/** {@link EPOCH_MS}'s int8, as node-postgres hands it over (text), in ISO form. */
const isoOfEpochMs = (ms: string): string => new Date(Number(ms)).toISOString();
