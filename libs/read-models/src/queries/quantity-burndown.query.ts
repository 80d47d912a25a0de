import { ProjectionSql, Reach } from '@zhenggai/application';
import { addDays, roundQuantity } from '@zhenggai/domain';
import { DATE_OF } from './local-date.sql';
import { NO_PARENT } from '../tasks/tasks.projection';
import { IN_REGION_SUBTREE, WITHIN_REACH, WITHIN_REGION } from './reach.sql';

/** A day of a campaign's burndown in its own quantities: each unit of measure's target and done at its end. */
export interface QuantityDay {
  readonly date: string;
  readonly quantities: Array<{ unit: string; target: number; done: number }>;
}

interface VersionRow {
  taskId: string;
  parentId: string | null;
  status: string;
  done: number | null;
  target: number | null;
  unit: string | null;
  inReach: boolean;
  day: string;
}

/**
 * The campaign's quantities (as `campaignProgress` counts them: each tree once at the top of what the reach holds,
 * its target, its own reported work and, recursively, what its sub-tasks have had verified) at the end of each day
 * from `from` to `to` (at `at` on its own day). One query reads the campaign's versions up to `at` in the order they
 * became valid (linear in them); each day's figures are then summed over the tasks as that day's versions left
 * them, on the days something changed, and carried over the days nothing did.
 */
export async function quantityBurndownOf(
  sql: ProjectionSql,
  campaignId: string,
  from: string,
  to: string,
  at: Date,
  reach: Reach,
): Promise<QuantityDay[]> {
  const { rows } = await sql.query(
    `SELECT v.task_id AS "taskId", v.parent_task_id AS "parentId", v.status,
            v.quantity_done::float8 AS done, v.target_quantity::float8 AS target, v.target_unit AS unit,
            ${WITHIN_REACH('v', '$4', '$5')} AS "inReach",
            to_char(greatest(${DATE_OF('v.valid_from')}, $2::date), 'YYYY-MM-DD') AS day
       FROM read_models.task_versions v
      WHERE v.campaign_id = $1::uuid AND v.valid_from <= $3::timestamptz
      ORDER BY v.valid_from, v.version`,
    [campaignId, from, at.toISOString(), reach.regionId ?? null, reach.unitId ?? null],
  );
  const versions = rows as VersionRow[];
  const tasks = new Map<string, VersionRow>();
  const children = new Map<string, Set<string>>();
  const rolledUp = (taskId: string): number => {
    let sum = tasks.get(taskId)!.done ?? 0;
    for (const child of children.get(taskId) ?? []) if (tasks.get(child)!.status === 'closed') sum += rolledUp(child);
    return sum;
  };
  const figures = (): QuantityDay['quantities'] => {
    const byUnit = new Map<string, { unit: string; target: number; done: number }>();
    for (const [taskId, t] of tasks) {
      if (!t.inReach || t.status === 'cancelled' || t.unit === null) continue;
      if (t.parentId !== null && tasks.get(t.parentId)?.inReach) continue;
      const row = byUnit.get(t.unit) ?? { unit: t.unit, target: 0, done: 0 };
      row.target += t.target ?? 0;
      row.done += rolledUp(taskId);
      byUnit.set(t.unit, row);
    }
    return [...byUnit.values()].sort((a, b) => a.unit.localeCompare(b.unit));
  };
  return eachDay(from, to, versions, figures, (version) => {
    tasks.set(version.taskId, version);
    if (version.parentId !== null) {
      const siblings = children.get(version.parentId) ?? new Set<string>();
      children.set(version.parentId, siblings.add(version.taskId));
    }
  });
}

/**
 * Each day from `from` to `to`: the changes dated by its end applied in order (`changes` by day), and the figures
 * taken again on the days something changed, carried over the days nothing did.
 */
function eachDay<C extends { day: string }>(
  from: string,
  to: string,
  changes: readonly C[],
  figures: () => QuantityDay['quantities'],
  apply: (change: C) => void,
): QuantityDay[] {
  const days: QuantityDay[] = [];
  let next = 0;
  let quantities: QuantityDay['quantities'] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    if (next < changes.length && changes[next].day <= date) {
      for (; next < changes.length && changes[next].day <= date; next++) apply(changes[next]);
      quantities = figures();
    }
    days.push({ date, quantities });
  }
  return days;
}

/**
 * The same days as {@link quantityBurndownOf}, now, for a reach by region (or none), from the changes per day the tasks
 * read model keeps (`task_campaign_quantities`): a tree counts once at the top of what the reach holds, as in the
 * campaign's quantities now. The cost grows with the days and the places, not with the tasks.
 */
export async function countedQuantityBurndownOf(
  sql: ProjectionSql,
  campaignId: string,
  from: string,
  to: string,
  reach: Reach,
): Promise<QuantityDay[]> {
  const { rows } = await sql.query<{ day: string; unit: string; n: number; target: number; done: number }>(
    `SELECT to_char(greatest(c.day, $2::date), 'YYYY-MM-DD') AS day, c.target_unit AS unit, sum(c.n)::int AS n,
            sum(c.target)::float8 AS target, sum(c.done)::float8 AS done
       FROM read_models.task_campaign_quantities c
      WHERE c.campaign_id = $1::uuid AND c.day <= $3::date AND ${WITHIN_REGION('c.region_id', '$4')}
        AND (c.parent_region_id = '${NO_PARENT}'::uuid
             OR ($4::uuid IS NOT NULL AND NOT ${IN_REGION_SUBTREE('c.parent_region_id', '$4')}))
      GROUP BY 1, 2 ORDER BY 1`,
    [campaignId, from, to, reach.regionId ?? null],
  );
  const units = new Map<string, { n: number; target: number; done: number }>();
  const figures = () =>
    [...units]
      .filter(([, sums]) => sums.n > 0)
      .map(([unit, { target, done }]) => ({ unit, target, done }))
      .sort((a, b) => a.unit.localeCompare(b.unit));
  return eachDay(from, to, rows, figures, (change) => {
    const sums = units.get(change.unit) ?? { n: 0, target: 0, done: 0 };
    sums.n += change.n;
    sums.target = roundQuantity(sums.target + change.target);
    sums.done = roundQuantity(sums.done + change.done);
    units.set(change.unit, sums);
  });
}
