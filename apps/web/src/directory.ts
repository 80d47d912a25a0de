import { reactive } from 'vue';
import { get } from './api';
import { hasLabel, label, locale } from './i18n';

export interface Region {
  id: string;
  code: string;
  name: string;
  level: string;
  parentId: string | null;
}
export interface Unit {
  id: string;
  name: string;
  regionId: string;
  headName: string | null;
}
export interface Category {
  id: string;
  code: string;
  name: string;
}
export interface Campaign {
  id: string;
  name: string;
  description?: string;
  deadline: string;
  scope?: { regionId?: string; category?: string };
  targets?: Array<{ label: string; quantity: number; unit: string }>;
}

/** The directory and campaigns, loaded once per sign-in (they change rarely; a reload picks up changes). */
export const directory = reactive<{
  regions: Region[];
  units: Unit[];
  campaigns: Campaign[];
  categories: Category[];
  loaded: boolean;
}>({
  regions: [],
  units: [],
  campaigns: [],
  categories: [],
  loaded: false,
});

let loading: Promise<void> | null = null;

export function loadDirectory(): Promise<void> {
  loading ??= (async () => {
    const [regions, units, campaigns, categories] = await Promise.all([
      get<Region[]>('/api/regions'),
      get<Unit[]>('/api/units'),
      get<Campaign[]>('/api/campaigns'),
      get<Category[]>('/api/categories'),
    ]);
    Object.assign(directory, { regions, units, campaigns, categories, loaded: true });
  })().catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** The campaigns read again (one just launched, or launched elsewhere since the directory was loaded). */
export async function reloadCampaigns(): Promise<void> {
  directory.campaigns = await get<Campaign[]>('/api/campaigns');
}

export function resetDirectory(): void {
  loading = null;
  Object.assign(directory, { regions: [], units: [], campaigns: [], categories: [], loaded: false });
}

/**
 * A category's name: as the admin named it (GET /api/categories), or in English the app's own label where it has
 * one; the code itself for a category the directory does not know. Nothing while the directory is still on its way
 * (a page shown before it would otherwise flash the code).
 */
export function categoryName(code: string | null | undefined): string {
  if (!code) return '';
  if (locale.value === 'en' && hasLabel(code)) return label(code);
  if (!directory.loaded) return '';
  return directory.categories.find((c) => c.code === code)?.name ?? label(code);
}

export const unitName = (id: string | null | undefined) => directory.units.find((u) => u.id === id)?.name ?? '';
export const regionName = (id: string | null | undefined) => directory.regions.find((r) => r.id === id)?.name ?? '';

/** The region tree in depth-first order with each region's depth, for an indented picker. */
export function regionTree(): Array<Region & { depth: number }> {
  const children = new Map<string | null, Region[]>();
  for (const region of directory.regions)
    children.set(region.parentId, [...(children.get(region.parentId) ?? []), region]);
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
  for (const region of directory.regions)
    if (region.parentId && !known.has(region.parentId) && !out.some((r) => r.id === region.id)) {
      out.push({ ...region, depth: 0 });
      walk(region.id, 1);
    }
  return out;
}
