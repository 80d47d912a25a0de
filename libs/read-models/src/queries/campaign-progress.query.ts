import { ProjectionSql, Reach } from '@zhenggai/application';
import { addDays, daysBetween, RegionLevel, shanghaiDateOf } from '@zhenggai/domain';
import { DATE_OF } from './local-date.sql';
import { NO_PARENT } from '../tasks/tasks.projection';
import { IN_REGION_SUBTREE, WITHIN_REACH, WITHIN_REGION } from './reach.sql';
import { RegionOfLevel, rollUpByRegionLevel } from './region-levels';
import { OWN_TARGET, ROLLED_UP_DONE } from './roll-up.sql';
import { OVERDUE, VALID_AT } from './traffic-light.sql';
import { countedQuantityBurndownOf, QuantityDay, quantityBurndownOf } from './quantity-burndown.query';
import { untilUpgraded } from './until-upgraded';

export interface CampaignDefinition {
  readonly campaignId: string;
  readonly name: string;
  readonly deadline: string;
  readonly targets: ReadonlyArray<{ label: string; quantity: number; unit: string }>;
  /** When it was launched (business time): the burndown starts that day. */
  readonly launchedAt: string;
}

export interface CampaignProgress {
  readonly campaignId: string;
  readonly name: string;
  readonly deadline: string;
  readonly asOf: string;
  /** Calendar days from the as-of date to the deadline (negative once past). */
  readonly daysLeft: number;
  readonly totals: {
    tasks: number;
    open: number;
    overdue: number;
    closed: number;
    closedOnTime: number;
    closedLate: number;
    cancelled: number;
  };
  /**
   * Quantity done against the targets, per unit of measure, counting each tree once: the targets of the tasks at
   * the top of what the reach holds (top-level tasks, for a reach that holds their trees), each with its work
   * rolled up (its own reported work and what its sub-tasks have had verified).
   */
  readonly quantities: Array<{ unit: string; target: number; done: number }>;
  readonly targets: ReadonlyArray<{ label: string; quantity: number; unit: string }>;
  readonly byRegion: Array<Breakdown & { regionId: string; regionName: string | null }>;
  /** By the unit leading each task, with whether it is behind by the same rule as a region ({@link RegionBehind}). */
  readonly byUnit: Array<Breakdown & { unitId: string; unitName: string | null; dueOpen: number; behind: boolean }>;
  /** Day by day, at the end of each day (or at the as-of instant for its own day): tasks open and closed. */
  readonly burndown: Array<{ date: string; open: number; closed: number; overdue: number }>;
  /**
   * Asked for (`quantityBurndown`): the same days in the campaign's own quantities, each day's target and done per
   * unit of measure as {@link quantities} counts them at its end.
   */
  readonly quantityBurndown?: QuantityDay[];
  /**
   * Asked for (`byRegionLevel`): the by-region rows rolled up to each level asked (市 › 县 › 乡镇 › 村), each region
   * of that level with its own parts below it, and each place above it that holds work itself as a row of its own
   * (see {@link rollUpByRegionLevel}): the rows of one level add up to the totals and to the quantities' target.
   */
  readonly byRegionLevel?: Partial<Record<RegionLevel, RegionBehind[]>>;
}

/** A region of a level asked, its own parts summed, and whether it is behind. */
export type RegionBehind = RegionOfLevel &
  Breakdown & {
    /** Tasks due by the as-of date (deadlines as they were then) and not signed off: overdue, or due that day. */
    dueOpen: number;
    /**
     * Some of its tasks are due and not signed off (`dueOpen`), or the campaign's deadline has come and its quantity
     * done is below its target.
     */
    behind: boolean;
  };

export interface CampaignProgressOptions {
  /** Roll the by-region rows up to these region levels too. */
  readonly byRegionLevel?: readonly RegionLevel[];
  /**
   * `at` is now: for a reach by region (or none), the figures are summed from the counts the read model keeps as the
   * events arrive (a few hundred rows), not from every task's versions; a unit's reach still reads its tasks.
   */
  readonly current?: boolean;
  /** Add the burndown in the campaign's quantities (read from the campaign's versions, now as for a past instant). */
  readonly quantityBurndown?: boolean;
}

/**
 * Each unit's (or region's) own work at its level: every task counts (a parent and its sub-tasks are each a unit's
 * work), quantities are each task's own part (a parent's target less the shares it handed down, its own reported
 * work), so that the rows' targets add up to the total without counting a share twice.
 */
interface Breakdown {
  tasks: number;
  open: number;
  overdue: number;
  closed: number;
  quantityDone: number | null;
  quantityTarget: number | null;
}

const BREAKDOWN = `count(*) FILTER (WHERE v.status <> 'cancelled')::int AS tasks,
  count(*) FILTER (WHERE v.status NOT IN ('closed', 'cancelled'))::int AS open,
  count(*) FILTER (WHERE ${OVERDUE('v', '$3::date')})::int AS overdue,
  count(*) FILTER (WHERE v.status = 'closed')::int AS closed,
  sum(v.quantity_done) FILTER (WHERE v.status <> 'cancelled')::float8 AS "quantityDone",
  sum(${OWN_TARGET('v', '$2::timestamptz')}) FILTER (WHERE v.status <> 'cancelled')::float8 AS "quantityTarget"`;

/**
 * The burndown covers at most the first ten years of a campaign: an as-of instant centuries later would otherwise
 * have the database count a row for every day in between.
 */
export const BURNDOWN_MAX_DAYS = 3660;

/**
 * "Are we going to clear dangerous housing by 30 September, and who is behind?" — a campaign's tasks as they
 * stood at `at`: totals, quantities, by region and by unit, and the burndown from launch to `at` (at most {@link
 * BURNDOWN_MAX_DAYS} days). By unit means
 * by the unit leading each task at `at`: who has the rest of the work in hand. A task handed over brings the
 * quantity already done with it, since that is the task's progress, not a unit's score (the scoreboard keeps
 * each unit's own record).
 */
export async function campaignProgress(
  sql: ProjectionSql,
  campaign: CampaignDefinition,
  at: Date,
  reach: Reach = {},
  options: CampaignProgressOptions = {},
): Promise<CampaignProgress> {
  const params = [
    campaign.campaignId,
    at.toISOString(),
    shanghaiDateOf(at),
    reach.regionId ?? null,
    reach.unitId ?? null,
  ];
  const fromCounts = options.current === true && !reach.unitId;
  const valid = `v.campaign_id = $1::uuid AND ${VALID_AT('v', '$2::timestamptz')} AND ${WITHIN_REACH('v', '$4', '$5')}`;
  const [totals, quantities, byRegion, byUnit] = await Promise.all(
    fromCounts ? countedFigures(sql, params) : versionedFigures(sql, params, valid),
  );
  const asOfDate = shanghaiDateOf(at);
  const launchDate = shanghaiDateOf(campaign.launchedAt);
  const lastDay = [asOfDate, addDays(launchDate, BURNDOWN_MAX_DAYS - 1)].sort()[0]!;
  const burndown =
    launchDate > asOfDate
      ? []
      : fromCounts
        ? await countedBurndownOf(sql, campaign.campaignId, launchDate, lastDay, reach)
        : await burndownOf(sql, campaign.campaignId, launchDate, lastDay, at, reach);
  const quantityBurndown =
    options.quantityBurndown !== true
      ? undefined
      : launchDate > asOfDate
        ? []
        : fromCounts
          ? await untilUpgraded(
              () => countedQuantityBurndownOf(sql, campaign.campaignId, launchDate, lastDay, reach),
              () => quantityBurndownOf(sql, campaign.campaignId, launchDate, lastDay, at, reach),
            )
          : await quantityBurndownOf(sql, campaign.campaignId, launchDate, lastDay, at, reach);
  const regionRows = byRegion.rows.map(({ regionId, regionName: _, ...figures }) => ({ regionId, figures }));
  const deadlineCome = asOfDate >= campaign.deadline;
  const byRegionLevel = options.byRegionLevel?.length
    ? await regionsBehind(sql, regionRows, options.byRegionLevel, deadlineCome)
    : undefined;
  return {
    campaignId: campaign.campaignId,
    name: campaign.name,
    deadline: campaign.deadline,
    asOf: at.toISOString(),
    daysLeft: daysBetween(asOfDate, campaign.deadline),
    totals: totals.rows[0],
    quantities: quantities.rows,
    targets: campaign.targets,
    byRegion: byRegion.rows.map(({ dueOpen: _, ...row }) => row),
    byUnit: byUnit.rows.map((row) => ({ ...row, behind: isBehind(row, deadlineCome) })),
    burndown,
    ...(quantityBurndown && { quantityBurndown }),
    ...(byRegionLevel && { byRegionLevel }),
  };
}

/** Totals, quantities, by region and by unit from every version valid at the instant (`$2`). */
function versionedFigures(sql: ProjectionSql, params: unknown[], valid: string) {
  return [
    sql.query(
      `SELECT count(*) FILTER (WHERE v.status <> 'cancelled')::int AS tasks,
              count(*) FILTER (WHERE v.status NOT IN ('closed', 'cancelled'))::int AS open,
              count(*) FILTER (WHERE ${OVERDUE('v', '$3::date')})::int AS overdue,
              count(*) FILTER (WHERE v.status = 'closed')::int AS closed,
              count(*) FILTER (WHERE v.status = 'closed' AND v.closed_on_time)::int AS "closedOnTime",
              count(*) FILTER (WHERE v.status = 'closed' AND NOT v.closed_on_time)::int AS "closedLate",
              count(*) FILTER (WHERE v.status = 'cancelled')::int AS cancelled
         FROM read_models.task_versions v WHERE ${valid}`,
      params,
    ),
    sql.query(
      `SELECT v.target_unit AS unit, sum(v.target_quantity)::float8 AS target,
              coalesce(sum(${ROLLED_UP_DONE('v', '$2::timestamptz')}), 0)::float8 AS done
         FROM read_models.task_versions v
        WHERE v.campaign_id = $1::uuid AND ${VALID_AT('v', '$2::timestamptz')} AND ${WITHIN_REACH('v', '$3', '$4')}
          AND v.status <> 'cancelled' AND v.target_unit IS NOT NULL
          AND (v.parent_task_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM read_models.task_versions p
                 WHERE p.task_id = v.parent_task_id AND ${VALID_AT('p', '$2::timestamptz')}
                   AND ${WITHIN_REACH('p', '$3', '$4')}))
        GROUP BY v.target_unit ORDER BY v.target_unit`,
      [params[0], params[1], params[3], params[4]],
    ),
    ...byRegionAndUnit(sql, `read_models.task_versions v`, valid, params, {
      breakdown: BREAKDOWN,
      dueOpen: `count(*) FILTER (WHERE v.status NOT IN ('closed', 'cancelled') AND v.deadline <= $3::date)::int`,
    }),
  ];
}

/** By region (with the tasks due and open, `dueOpen`) and by unit: the same groups from the versions or the counts. */
function byRegionAndUnit(
  sql: ProjectionSql,
  from: string,
  valid: string,
  params: unknown[],
  figures: { breakdown: string; dueOpen: string },
) {
  return [
    sql.query(
      `SELECT v.region_id AS "regionId", r.name AS "regionName", ${figures.breakdown}, ${figures.dueOpen} AS "dueOpen"
         FROM ${from} LEFT JOIN regions r ON r.id = v.region_id
        WHERE ${valid} GROUP BY v.region_id, r.name ORDER BY overdue DESC, open DESC, r.name`,
      params,
    ),
    sql.query(
      `SELECT v.lead_unit_id AS "unitId", u.name AS "unitName", ${figures.breakdown}, ${figures.dueOpen} AS "dueOpen"
         FROM ${from} LEFT JOIN units u ON u.id = v.lead_unit_id
        WHERE ${valid} GROUP BY v.lead_unit_id, u.name ORDER BY overdue DESC, open DESC, u.name`,
      params,
    ),
  ];
}

/** The task counts of a campaign's row `v` in the per-deadline counts, as {@link BREAKDOWN} counts task rows. */
const COUNTED = (condition: string) => `coalesce(sum(v.n) FILTER (WHERE ${condition}), 0)::int`;
/** A quantity summed over the counts' rows not cancelled: null when none of their tasks has one (as SQL's sum). */
const SUMMED = (sum: string, n: string) =>
  `(CASE WHEN coalesce(sum(v.${n}) FILTER (WHERE v.status <> 'cancelled'), 0) = 0 THEN NULL
     ELSE sum(v.${sum}) FILTER (WHERE v.status <> 'cancelled') END)::float8`;
const COUNTED_BREAKDOWN = `${COUNTED(`v.status <> 'cancelled'`)} AS tasks,
  ${COUNTED(`v.status NOT IN ('closed', 'cancelled')`)} AS open,
  ${COUNTED(OVERDUE('v', '$2::date'))} AS overdue,
  ${COUNTED(`v.status = 'closed'`)} AS closed,
  ${SUMMED('own_done', 'done_n')} AS "quantityDone",
  ${SUMMED('own_target', 'target_n')} AS "quantityTarget"`;

/**
 * The same figures as {@link versionedFigures}, now, for a reach by region (`$3`, or none), from the per-deadline
 * counts. A tree counts once at the top of what the reach holds: a task whose parent lies outside the reach (or
 * has none) brings its full target and its rolled-up work.
 */
function countedFigures(sql: ProjectionSql, params: unknown[]) {
  const counted = [params[0], params[2], params[3]];
  const valid = `v.campaign_id = $1::uuid AND ${WITHIN_REGION('v.region_id', '$3')}`;
  return [
    sql.query(
      `SELECT ${COUNTED(`v.status <> 'cancelled'`)} AS tasks,
              ${COUNTED(`v.status NOT IN ('closed', 'cancelled')`)} AS open,
              ${COUNTED(OVERDUE('v', '$2::date'))} AS overdue,
              ${COUNTED(`v.status = 'closed'`)} AS closed,
              ${COUNTED(`v.status = 'closed' AND v.closed_on_time`)} AS "closedOnTime",
              ${COUNTED(`v.status = 'closed' AND NOT v.closed_on_time`)} AS "closedLate",
              ${COUNTED(`v.status = 'cancelled'`)} AS cancelled
         FROM read_models.task_deadline_counts v WHERE ${valid}`,
      counted,
    ),
    sql.query(
      `SELECT v.target_unit AS unit, sum(v.top_target)::float8 AS target, sum(v.top_done)::float8 AS done
         FROM read_models.task_deadline_counts v
        WHERE v.campaign_id = $1::uuid AND ${WITHIN_REGION('v.region_id', '$2')}
          AND v.status <> 'cancelled' AND v.target_unit <> ''
          AND (v.parent_region_id = '${NO_PARENT}'::uuid
               OR ($2::uuid IS NOT NULL AND NOT ${IN_REGION_SUBTREE('v.parent_region_id', '$2')}))
        GROUP BY v.target_unit ORDER BY v.target_unit`,
      [params[0], params[3]],
    ),
    ...byRegionAndUnit(sql, `read_models.task_deadline_counts v`, valid, counted, {
      breakdown: COUNTED_BREAKDOWN,
      dueOpen: COUNTED(`v.status NOT IN ('closed', 'cancelled') AND v.deadline <= $2::date`),
    }),
  ];
}

/**
 * Behind: some of its tasks are due and not signed off, or the campaign's deadline has come and its quantity done is
 * below its target.
 */
function isBehind(row: Breakdown & { dueOpen: number }, deadlineCome: boolean): boolean {
  return (
    row.dueOpen > 0 || (deadlineCome && row.quantityTarget !== null && (row.quantityDone ?? 0) < row.quantityTarget)
  );
}

async function regionsBehind(
  sql: ProjectionSql,
  rows: Array<{ regionId: string; figures: Breakdown & { dueOpen: number } }>,
  levels: readonly RegionLevel[],
  deadlineCome: boolean,
): Promise<Partial<Record<RegionLevel, RegionBehind[]>>> {
  const rolled = await rollUpByRegionLevel(sql, rows, levels);
  const answer: Partial<Record<RegionLevel, RegionBehind[]>> = {};
  for (const level of levels) {
    answer[level] = rolled[level]!.map((row) => ({ ...row, behind: isBehind(row, deadlineCome) })).sort(
      (a, b) =>
        Number(b.behind) - Number(a.behind) ||
        b.overdue - a.overdue ||
        b.dueOpen - a.dueOpen ||
        (a.regionName ?? '').localeCompare(b.regionName ?? '', 'zh') ||
        a.regionId.localeCompare(b.regionId),
    );
  }
  return answer;
}

/**
 * Open, closed and overdue at the end of each day (at `at` on its own day), from each version's changes alone: a
 * version is counted from the day it became valid up to the day it was ended (its `valid_to`, if by `at`), and as
 * overdue from the day after its deadline. Each version adds to the day it starts and takes away on the day it ends,
 * and the days sum what came before them, so the cost grows with the versions and the days, not with their product.
 * A version valid at the end of day d (instant I = the day's last microsecond, or `at` on its own day) has started by
 * d (`valid_from` ≤ I: its Shanghai date ≤ d) and not ended by it (`valid_to` > I: its date > d, or after `at`); it
 * is overdue when I is at or after its deadline's end, that is d > its deadline.
 */
async function burndownOf(sql: ProjectionSql, campaignId: string, from: string, to: string, at: Date, reach: Reach) {
  const dayOf = (instant: string) => `greatest(${DATE_OF(instant)}, $2::date)`;
  const open = `v.status NOT IN ('closed', 'cancelled')`;
  const { rows } = await sql.query(
    `WITH versions AS (
       SELECT ${dayOf('v.valid_from')} AS starts,
              CASE WHEN v.valid_to <= $4::timestamptz THEN ${dayOf('v.valid_to')} END AS ends,
              (${open})::int AS open, (v.status = 'closed')::int AS closed,
              CASE WHEN ${open} THEN greatest(${dayOf('v.valid_from')}, v.deadline + 1) END AS overdue_from
         FROM read_models.task_versions v
        WHERE v.campaign_id = $1::uuid AND v.valid_from <= $4::timestamptz AND ${WITHIN_REACH('v', '$5', '$6')}),
     changes(day, open, closed, overdue) AS (
       SELECT starts, open, closed, 0 FROM versions
       UNION ALL SELECT ends, -open, -closed, 0 FROM versions WHERE ends IS NOT NULL
       UNION ALL SELECT overdue_from, 0, 0, 1 FROM versions
        WHERE overdue_from IS NOT NULL AND (ends IS NULL OR overdue_from < ends)
       UNION ALL SELECT ends, 0, 0, -1 FROM versions WHERE overdue_from < ends)
     SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
            (sum(coalesce(sum(c.open), 0)) OVER w)::int AS open,
            (sum(coalesce(sum(c.closed), 0)) OVER w)::int AS closed,
            (sum(coalesce(sum(c.overdue), 0)) OVER w)::int AS overdue
       FROM generate_series($2::date, $3::date, interval '1 day') AS d(day)
       LEFT JOIN changes c ON c.day = d.day::date
      GROUP BY d.day WINDOW w AS (ORDER BY d.day) ORDER BY d.day`,
    [campaignId, from, to, at.toISOString(), reach.regionId ?? null, reach.unitId ?? null],
  );
  return rows as Array<{ date: string; open: number; closed: number; overdue: number }>;
}

/**
 * The burndown as {@link burndownOf} answers it now, for a reach by region (or none), from the changes per campaign,
 * region and day the read model keeps: the changes before the launch count on its day.
 */
async function countedBurndownOf(sql: ProjectionSql, campaignId: string, from: string, to: string, reach: Reach) {
  const { rows } = await sql.query(
    `WITH changes AS (
       SELECT greatest(c.day, $2::date) AS day, sum(c.open) AS open, sum(c.closed) AS closed, sum(c.overdue) AS overdue
         FROM read_models.task_campaign_days c
        WHERE c.campaign_id = $1::uuid AND c.day <= $3::date AND ${WITHIN_REGION('c.region_id', '$4')}
        GROUP BY 1)
     SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
            (sum(coalesce(c.open, 0)) OVER w)::int AS open,
            (sum(coalesce(c.closed, 0)) OVER w)::int AS closed,
            (sum(coalesce(c.overdue, 0)) OVER w)::int AS overdue
       FROM generate_series($2::date, $3::date, interval '1 day') AS d(day)
       LEFT JOIN changes c ON c.day = d.day::date
     WINDOW w AS (ORDER BY d.day) ORDER BY d.day`,
    [campaignId, from, to, reach.regionId ?? null],
  );
  return rows as Array<{ date: string; open: number; closed: number; overdue: number }>;
}
