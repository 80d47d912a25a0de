import type { CatalogueFinding } from '@zhenggai/read-models';

/** A finding as 举一反三 compares it: where it is, what kind it is, and whether it is still open. */
export type FindingSummary = CatalogueFinding;

export interface RegionNode {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
}

export type SimilarFinding = FindingSummary & {
  readonly regionName: string | null;
  /** Steps through the region tree from the place asked about (0: the same place, 2: a sibling village…). */
  readonly distance: number;
  readonly status: 'open' | 'resolved';
};

/**
 * 举一反三: findings of the same category, nearest place first (by steps through the region tree), open
 * before resolved among equals, newest first after that. Places more than `maxDistance` steps away are left out.
 */
export function similarFindings(
  findings: readonly FindingSummary[],
  regions: readonly RegionNode[],
  query: { category: string; regionId: string; excludeId?: string; maxDistance?: number; limit?: number },
): SimilarFinding[] {
  const byId = new Map(regions.map((r) => [r.id, r]));
  const ancestry = (id: string): string[] => {
    const chain: string[] = [];
    for (let at: string | null | undefined = id; at && !chain.includes(at); at = byId.get(at)?.parentId) chain.push(at);
    return chain;
  };
  const from = ancestry(query.regionId);
  const distance = (regionId: string): number => {
    const to = ancestry(regionId);
    const common = to.findIndex((id) => from.includes(id));
    return common < 0 ? Number.POSITIVE_INFINITY : common + from.indexOf(to[common]);
  };
  return findings
    .filter((f) => f.category === query.category && f.id !== query.excludeId)
    .map((f): SimilarFinding => ({
      ...f,
      regionName: byId.get(f.regionId)?.name ?? null,
      distance: distance(f.regionId),
      status: f.resolved ? 'resolved' : 'open',
    }))
    .filter((f) => f.distance <= (query.maxDistance ?? 4))
    .sort(
      (a, b) =>
        a.distance - b.distance || Number(a.resolved) - Number(b.resolved) || b.filedAt.localeCompare(a.filedAt),
    )
    .slice(0, query.limit ?? 20);
}
