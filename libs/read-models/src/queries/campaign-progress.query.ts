import { ProjectionSql, Reach } from '@zhenggai/application';
import { addDays, daysBetween, RegionLevel, shanghaiDateOf } from '@zhenggai/domain';
import { END_OF_DAY } from './local-date.sql';
import { WITHIN_REACH } from './reach.sql';
import { RegionOfLevel, rollUpByRegionLevel } from './region-levels';
import { OWN_TARGET, ROLLED_UP_DONE } from './roll-up.sql';
import { DUE_AT, OVERDUE, VALID_AT } from './traffic-light.sql';

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
  readonly byUnit: Array<Breakdown & { unitId: string; unitName: string | null }>;
  /** Day by day, at the end of each day (or at the as-of instant for its own day): tasks open and closed. */
  readonly burndown: Array<{ date: string; open: number; closed: number; overdue: number }>;
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
  const valid = `v.campaign_id = $1::uuid AND ${VALID_AT('v', '$2::timestamptz')} AND ${WITHIN_REACH('v', '$4', '$5')}`;
  const [totals, quantities, byRegion, byUnit] = await Promise.all([
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
    sql.query(
      `SELECT v.region_id AS "regionId", r.name AS "regionName", ${BREAKDOWN},
              count(*) FILTER (WHERE v.status NOT IN ('closed', 'cancelled') AND v.deadline <= $3::date)::int
                AS "dueOpen"
         FROM read_models.task_versions v LEFT JOIN regions r ON r.id = v.region_id
        WHERE ${valid} GROUP BY v.region_id, r.name ORDER BY overdue DESC, open DESC, r.name`,
      params,
    ),
    sql.query(
      `SELECT v.lead_unit_id AS "unitId", u.name AS "unitName", ${BREAKDOWN}
         FROM read_models.task_versions v LEFT JOIN units u ON u.id = v.lead_unit_id
        WHERE ${valid} GROUP BY v.lead_unit_id, u.name ORDER BY overdue DESC, open DESC, u.name`,
      params,
    ),
  ]);
  const asOfDate = shanghaiDateOf(at);
  const launchDate = shanghaiDateOf(campaign.launchedAt);
  const lastDay = [asOfDate, addDays(launchDate, BURNDOWN_MAX_DAYS - 1)].sort()[0]!;
  const burndown =
    launchDate <= asOfDate ? await burndownOf(sql, campaign.campaignId, launchDate, lastDay, at, reach) : [];
  const regionRows = byRegion.rows.map(({ regionId, regionName: _, ...figures }) => ({ regionId, figures }));
  const byRegionLevel = options.byRegionLevel?.length
    ? await regionsBehind(sql, regionRows, options.byRegionLevel, asOfDate >= campaign.deadline)
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
    byUnit: byUnit.rows,
    burndown,
    ...(byRegionLevel && { byRegionLevel }),
  };
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
    answer[level] = rolled[level]!.map((row) => ({
      ...row,
      behind:
        row.dueOpen > 0 ||
        (deadlineCome && row.quantityTarget !== null && (row.quantityDone ?? 0) < row.quantityTarget),
    })).sort(
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

async function burndownOf(sql: ProjectionSql, campaignId: string, from: string, to: string, at: Date, reach: Reach) {
  const { rows } = await sql.query(
    `WITH days AS (
       SELECT d::date AS day, least(${END_OF_DAY('d::date')} - interval '1 microsecond', $4::timestamptz) AS instant
         FROM generate_series($2::date, $3::date, interval '1 day') AS d)
     SELECT to_char(days.day, 'YYYY-MM-DD') AS date,
            count(v.task_id) FILTER (WHERE v.status NOT IN ('closed', 'cancelled'))::int AS open,
            count(v.task_id) FILTER (WHERE v.status = 'closed')::int AS closed,
            count(v.task_id) FILTER (WHERE v.status NOT IN ('closed', 'cancelled') AND days.instant >=
              ${DUE_AT('v')})::int AS overdue
       FROM days
       LEFT JOIN read_models.task_versions v
         ON v.campaign_id = $1::uuid AND ${VALID_AT('v', 'days.instant')} AND ${WITHIN_REACH('v', '$5', '$6')}
      GROUP BY days.day ORDER BY days.day`,
    [campaignId, from, to, at.toISOString(), reach.regionId ?? null, reach.unitId ?? null],
  );
  return rows as Array<{ date: string; open: number; closed: number; overdue: number }>;
}
