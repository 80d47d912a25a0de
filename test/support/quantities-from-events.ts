import type { StoredEvent } from '@zhenggai/application';

interface TaskFacts {
  status: string;
  parent: string | null;
  lead: string;
  /** Where the task is placed (its region never changes). */
  region: string;
  target: number | null;
  unit: string | null;
  /** The lead unit's own reported work: the latest quantity a progress report or submission carried. */
  own: number | null;
}

/**
 * A campaign's quantities as `campaignProgress` documents them for trees (逐级分解), computed straight from the task
 * events with nothing but their types and data, as things stood at `at`: each tree counted once at its top-level
 * task (its target; its work rolled up: its own reported work plus, recursively, what its sub-tasks had verified),
 * and per unit and per region each task's own part (target less the shares of its sub-tasks not cancelled, own
 * reported work); per region also its tasks not cancelled.
 */
export function quantitiesFromEvents(events: readonly StoredEvent[], campaignId: string, at: Date) {
  const tasks = new Map<string, TaskFacts>();
  for (const e of events) {
    if (!e.type.startsWith('RectificationTask') || Date.parse(e.metadata.occurredAt) > at.getTime()) continue;
    const t = tasks.get(e.data.taskId);
    if (e.type === 'RectificationTaskAssigned') {
      if (e.data.campaignId !== campaignId) continue;
      tasks.set(e.data.taskId, {
        status: 'assigned',
        parent: e.data.parentTaskId ?? null,
        lead: e.data.leadUnitId,
        region: e.data.regionId,
        target: e.data.target?.quantity ?? null,
        unit: e.data.target?.unit ?? null,
        own: null,
      });
      continue;
    }
    if (!t) continue;
    if (e.type === 'RectificationTaskProgressReported' || e.type === 'RectificationTaskSubmitted')
      t.own = e.data.quantityDone ?? t.own;
    if (e.type === 'RectificationTaskVerified') t.status = 'closed';
    else if (e.type === 'RectificationTaskCancelled') t.status = 'cancelled';
    else if (e.type === 'RectificationTaskReopened') t.status = 'open';
    else if (e.type === 'RectificationTaskReassigned') t.lead = e.data.leadUnitId;
  }
  const children = (id: string) => [...tasks].filter(([, c]) => c.parent === id);
  const rolledUp = (id: string): number =>
    (tasks.get(id)!.own ?? 0) +
    children(id)
      .filter(([, c]) => c.status === 'closed')
      .reduce((sum, [childId]) => sum + rolledUp(childId), 0);
  const live = [...tasks].filter(([, t]) => t.status !== 'cancelled');
  const totals = new Map<string, { unit: string; target: number; done: number }>();
  for (const [id, t] of live.filter(([, t]) => t.parent === null && t.unit !== null)) {
    const total = totals.get(t.unit!) ?? { unit: t.unit!, target: 0, done: 0 };
    total.target += t.target!;
    total.done += rolledUp(id);
    totals.set(t.unit!, total);
  }
  // A unit none of whose tasks reported a quantity has done null (nothing said), as SQL sums it.
  const byUnit = new Map<string, { quantityTarget: number; quantityDone: number | null }>();
  const byRegion = new Map<string, { tasks: number; quantityTarget: number; quantityDone: number | null }>();
  for (const [id, t] of live) {
    const region = byRegion.get(t.region) ?? { tasks: 0, quantityTarget: 0, quantityDone: null };
    region.tasks++;
    byRegion.set(t.region, region);
    if (t.target === null) continue;
    const shares = children(id)
      .filter(([, c]) => c.status !== 'cancelled')
      .reduce((sum, [, c]) => sum + (c.target ?? 0), 0);
    for (const row of [byUnit.get(t.lead) ?? { quantityTarget: 0, quantityDone: null }, region]) {
      row.quantityTarget += t.target - shares;
      if (t.own !== null) row.quantityDone = (row.quantityDone ?? 0) + t.own;
      if (row !== region) byUnit.set(t.lead, row);
    }
  }
  return { quantities: [...totals.values()].sort((a, b) => a.unit.localeCompare(b.unit)), byUnit, byRegion };
}

/**
 * `quantitiesFromEvents(…).byRegion` rolled up to the regions of `level` as a reader adds them up through the region
 * tree: each region's figures go to the region of that level on its path, or stay with it when it lies above.
 */
export function byRegionLevelFromEvents(
  byRegion: ReturnType<typeof quantitiesFromEvents>['byRegion'],
  regions: ReadonlyArray<{ id: string; level: string; path: readonly string[] }>,
  level: string,
) {
  const rolled = new Map<string, { tasks: number; quantityTarget: number; quantityDone: number | null }>();
  for (const [regionId, figures] of byRegion) {
    const own = regions.find((r) => r.id === regionId)!;
    const key = regions.find((r) => r.level === level && own.path.includes(r.id))?.id ?? regionId;
    const row = rolled.get(key) ?? { tasks: 0, quantityTarget: 0, quantityDone: null };
    row.tasks += figures.tasks;
    row.quantityTarget += figures.quantityTarget;
    if (figures.quantityDone !== null) row.quantityDone = (row.quantityDone ?? 0) + figures.quantityDone;
    rolled.set(key, row);
  }
  return rolled;
}
