import { Infrastructure } from '@zhenggai/platform';
import { TodoHolder, TodoQueries } from '../queries/todo.query';
import { at, demoTreeWorld, sentBackTree } from '../testing/demo-tree-world';
import { projectAll } from '../testing/project-all';
import { todoProjection } from './todo.projection';
import { evolveTodo, TodoTask } from './todo.fold';

jest.setTimeout(120_000);

/**
 * The 待办 counts a page's header polls are summed from the counts the todo read model keeps per holder, place and
 * kind, not counted item by item: both must agree for every unit and every inspection office's region, over the demo
 * story and a tree 县 → 镇 → 村 whose sub-tasks are sent back, verified and cancelled (items come and go), projected
 * one event at a time, a few at a time and all at once; and each batch worked out before the one before is written,
 * with the to-do it carries (what a runner far behind does).
 */
describe('the 待办 counts kept per holder equal the items counted one by one', () => {
  let infra: Infrastructure;
  let world: Awaited<ReturnType<typeof demoTreeWorld>>;

  beforeAll(async () => {
    world = await demoTreeWorld();
    ({ infra } = world);
    const { member, run, evidence } = world;
    const regions = await infra.directory.listRegions();
    const { town, neighbour } = await sentBackTree(world, regions.find((r) => r.name === '阜南县')!.id);
    const [countyUnit, townUnit] = [member(world.units.county), member(world.units.town)];
    await run(countyUnit, at('2018-09-01'), neighbour, 'CancelRectificationTask', { reason: '并入王堰镇实施' });
    await run(townUnit, at('2018-09-05'), town, 'SubmitRectification', { report: '完成', evidence, quantityDone: 50 });
  });

  it.each([
    [1, false],
    [7, false],
    [500, false],
    [1, true],
    [7, true],
  ])('answers the same, projected %s event(s) at a time (worked out ahead: %s)', async (batchSize, ahead) => {
    const suffix = `counts_${batchSize}${ahead ? '_ahead' : ''}`;
    await projectAll(infra.pool, infra.eventStore, [todoProjection], suffix, batchSize, ahead);
    const holders: TodoHolder[] = [
      ...(await infra.directory.listUnits()).map((u) => ({ unitId: u.id })),
      { inspection: true, regionId: null },
      ...(await infra.directory.listRegions()).map((r) => ({ inspection: true as const, regionId: r.id })),
    ];
    const queries = new TodoQueries(infra.pool);
    let waiting = 0;
    for (const holder of holders) {
      const kept = await queries.counts(holder);
      const unit = 'unitId' in holder ? holder.unitId : null;
      const region = 'regionId' in holder ? holder.regionId : null;
      const { rows } = await infra.pool.query<{ kind: string; n: number }>(
        `SELECT i.kind, count(*)::int AS n FROM read_models.todo_items i
          WHERE ${unit ? 'i.holder_unit_id = $1::uuid' : 'i.holder_unit_id IS NULL AND $1::uuid IS NULL'}
            AND ($2::uuid IS NULL OR i.region_id IN (SELECT id FROM regions WHERE $2::uuid = ANY(path)))
          GROUP BY i.kind`,
        [unit, region],
      );
      const counted = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
      const keptByKind = Object.fromEntries(Object.entries(kept.byKind).filter(([, n]) => n > 0));
      expect([holder, keptByKind]).toEqual([holder, counted]);
      expect(kept.total).toBe(rows.reduce((n, r) => n + r.n, 0));
      waiting += kept.total;
    }
    expect(waiting).toBeGreaterThan(0);
    // The items written change by change are those the events fold to, whatever the batches.
    const folded = new Map<string, TodoTask | undefined>();
    for (const event of await infra.eventStore.readAll({ maxCount: 100_000 }))
      if (event.data?.taskId) folded.set(event.data.taskId, evolveTodo(folded.get(event.data.taskId), event));
    const { rows: items } = await infra.pool.query(
      `SELECT task_id, kind, since, position::text AS position, detail, deadline::text AS deadline
         FROM "proj_todo_${suffix}".todo_items ORDER BY task_id, kind`,
    );
    const expected = [...folded.values()]
      .flatMap((task) => (task?.items ?? []).map((i) => ({ ...i, task_id: task!.taskId, deadline: task!.deadline })))
      .sort((a, b) => a.task_id.localeCompare(b.task_id) || a.kind.localeCompare(b.kind));
    expect(items.map((i) => ({ ...i, since: i.since.toISOString() }))).toEqual(expected);
    expect(items.length).toBeGreaterThan(0);
    // Just after an upgrade the read model built before the counts serves (no `todo_counts`): the items are counted.
    const unit = holders.find((h) => 'unitId' in h && h.unitId === world.units.town)!;
    const withCounts = await queries.counts(unit);
    await infra.pool.query('DROP VIEW read_models.todo_counts');
    expect(await queries.counts(unit)).toEqual(withCounts);
    // A count brought to nothing is deleted, not kept as a row of zeros.
    const zeros = await infra.pool.query(`SELECT 1 FROM "proj_todo_${suffix}".todo_counts WHERE n = 0`);
    expect(zeros.rowCount).toBe(0);
  });
});
