import { reactive } from 'vue';
import { ApiError, get } from './api';

export interface Region { id: string; code: string; name: string; level: string; parentId: string | null }
export interface Unit { id: string; name: string; regionId: string; headName: string | null }
export interface Campaign { id: string; name: string; deadline: string; scope?: { regionId?: string; category?: string } }

/** The directory and campaigns, loaded once per sign-in (they change rarely; a reload picks up changes). */
export const directory = reactive<{ regions: Region[]; units: Unit[]; campaigns: Campaign[]; categories: string[]; loaded: boolean }>({
  regions: [], units: [], campaigns: [], categories: [], loaded: false,
});

let loading: Promise<void> | null = null;

export function loadDirectory(): Promise<void> {
  loading ??= (async () => {
    const [regions, units, campaigns] = await Promise.all([get<Region[]>('/api/regions'), get<Unit[]>('/api/units'), get<Campaign[]>('/api/campaigns')]);
    Object.assign(directory, { regions, units, campaigns, categories: await categories(), loaded: true });
  })().catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

export function resetDirectory(): void {
  loading = null;
  Object.assign(directory, { regions: [], units: [], campaigns: [], categories: [], loaded: false });
}

/**
 * Category codes: from GET /api/categories where the server has it, else the codes already used by tasks,
 * and the ones the demo story knows.
 */
async function categories(): Promise<string[]> {
  try {
    const answer = await get<Array<string | { code: string }>>('/api/categories');
    return answer.map((c) => (typeof c === 'string' ? c : c.code));
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 403)) throw error;
    const seen = await get<{ items: Array<{ category: string }> }>('/api/tasks?pageSize=200').catch(() => ({ items: [] }));
    const known = ['old-housing', 'dangerous-housing', 'sanitation', 'ponds-ditches', 'village-environment', 'four-ones', 'industry', 'employment', 'drinking-water'];
    return [...new Set([...known, ...seen.items.map((t) => t.category)])];
  }
}

export const unitName = (id: string | null | undefined) => directory.units.find((u) => u.id === id)?.name ?? '';
export const regionName = (id: string | null | undefined) => directory.regions.find((r) => r.id === id)?.name ?? '';

/** The region tree in depth-first order with each region's depth, for an indented picker. */
export function regionTree(): Array<Region & { depth: number }> {
  const children = new Map<string | null, Region[]>();
  for (const region of directory.regions) children.set(region.parentId, [...(children.get(region.parentId) ?? []), region]);
  const known = new Set(directory.regions.map((r) => r.id));
  const out: Array<Region & { depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const region of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      out.push({ ...region, depth });
      walk(region.id, depth + 1);
    }
  };
  walk(null, 0);
  // Regions whose parent is out of the caller's sight start their own trees.
  for (const region of directory.regions) if (region.parentId && !known.has(region.parentId) && !out.some((r) => r.id === region.id)) {
    out.push({ ...region, depth: 0 });
    walk(region.id, 1);
  }
  return out;
}
