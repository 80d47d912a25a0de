import { EventStore, ProjectionSql, StoredEvent } from '@zhenggai/application';
import { eventUpcasters } from '@zhenggai/domain';
import { BulletinIssued } from '@zhenggai/domain';
import {
  BulletinRow,
  bulletinRow,
  catalogueProjection,
  FindingRow,
  findingRow,
} from '../catalogue/catalogue.projection';
import { WITHIN_REGION } from './reach.sql';

/** A finding as the catalogue keeps it (what 举一反三 compares). */
export interface CatalogueFinding {
  readonly id: string;
  readonly title: string;
  readonly regionId: string;
  readonly category: string;
  readonly severity: string;
  readonly filedAt: string;
  readonly resolved: boolean;
}

/** A campaign as launched: its id and the data of its `CampaignLaunched` event. */
export type CatalogueCampaign = { readonly id: string } & Record<string, unknown>;

/** One version of an issued bulletin: its event's data and when it was issued. */
export type IssuedBulletinVersion = BulletinIssued['data'] & { readonly issuedAt: string };

const FINDING_EVENTS = ['FindingFiled', 'FindingResolved', 'FindingReopened'];
const FINDING_COLUMNS = 'f.finding_id, f.title, f.region_id, f.category, f.severity, f.filed_at, f.resolved';

function toFinding(r: FindingRow): CatalogueFinding {
  return {
    id: r.finding_id,
    title: r.title,
    regionId: r.region_id,
    category: r.category,
    severity: r.severity,
    filedAt: new Date(r.filed_at).toISOString(),
    resolved: r.resolved,
  };
}

/**
 * Findings and campaigns from the `catalogue` read model, plus the events stored after its checkpoint: as
 * current as the event store, without reading all of it. Before the catalogue is first built (a new
 * deployment whose worker has not run yet), everything comes from the store.
 */
export class CatalogueQueries {
  constructor(
    private readonly sql: ProjectionSql,
    private readonly store: Pick<EventStore, 'readAll'>,
  ) {}

  /**
   * The findings of a category placed at most `maxDistance` steps through the region tree from `nearRegionId`
   * (0: the same place, 2: a sibling village…): from the read model the `limit` nearest (open before resolved,
   * newest first), with every finding the events after its checkpoint file, resolve or reopen, so that the
   * caller's own ranking of these finds the same nearest ones as over all findings. `withinRegionId`: only those
   * placed in that region's subtree (null: anywhere); `inReach` decides the same for findings not yet in the
   * read model.
   */
  async findingsNear(
    query: { category: string; nearRegionId: string; maxDistance: number; limit: number; excludeId?: string },
    withinRegionId: string | null,
    inReach: (regionId: string) => Promise<boolean>,
  ): Promise<CatalogueFinding[]> {
    const built = await this.rows<FindingRow>(
      // The places within reach and within maxDistance steps first (a few hundred at most: the directory, not the
      // findings), then each place's nearest-ranked findings from the index, so the cost does not grow with the
      // findings filed: steps from each place up to the nearest place above both (paths run from the root; once
      // they part, no position holds the same region on both).
      `SELECT ${FINDING_COLUMNS}
         FROM (SELECT r.id::text AS region_id, d.steps
                 FROM regions r
                 CROSS JOIN (SELECT path FROM regions WHERE id = $2::uuid) q
                 CROSS JOIN LATERAL (SELECT cardinality(r.path) + cardinality(q.path)
                                     - 2 * (SELECT count(*) FROM generate_subscripts(r.path, 1) i
                                             WHERE r.path[i] = q.path[i]) AS steps) d
                WHERE ${WITHIN_REGION('r.id', '$3')} AND d.steps <= $4) n
         CROSS JOIN LATERAL (
           SELECT ${FINDING_COLUMNS} FROM read_models.findings f
            WHERE f.category = $1 AND f.region_id = n.region_id AND f.finding_id IS DISTINCT FROM $5::uuid
            ORDER BY f.resolved, f.filed_at DESC, f.finding_id
            LIMIT $6) f
        ORDER BY n.steps, f.resolved, f.filed_at DESC, f.finding_id
        LIMIT $6`,
      [query.category, query.nearRegionId, withinRegionId, query.maxDistance, query.excludeId ?? null, query.limit],
    );
    const findings = new Map((built?.rows ?? []).map((r) => [r.finding_id, toFinding(r)]));
    const tail = await this.tail(built?.position ?? 0n, FINDING_EVENTS);
    // A finding beyond the nearest `limit` whose status the tail changes may now rank among them.
    const touched = [
      ...new Set(tail.filter((e) => e.type !== 'FindingFiled').map((e) => e.data.findingId as string)),
    ].filter((id) => !findings.has(id));
    if (built && touched.length > 0) {
      const { rows } = await this.sql.query<FindingRow>(
        `SELECT ${FINDING_COLUMNS} FROM read_models.findings f WHERE ` +
          `f.finding_id = ANY($1::uuid[]) AND f.category = $2 AND ${WITHIN_REGION('f.region_id', '$3', 'text')}`,
        [touched, query.category, withinRegionId],
      );
      for (const r of rows) findings.set(r.finding_id, toFinding(r));
    }
    for (const event of tail) {
      if (event.type === 'FindingFiled') {
        const filed = toFinding(findingRow(event));
        if (filed.category === query.category && (await inReach(filed.regionId))) findings.set(filed.id, filed);
      } else {
        const known = findings.get(event.data.findingId);
        if (known) findings.set(known.id, { ...known, resolved: event.type === 'FindingResolved' });
      }
    }
    return [...findings.values()];
  }

  /** Every campaign launched, in the order they were launched. */
  async campaigns(): Promise<CatalogueCampaign[]> {
    const built = await this.rows<{ data: { campaignId: string } }>(
      'SELECT c.data FROM read_models.campaigns c ORDER BY c.position',
      [],
    );
    const launched = (built?.rows ?? []).map((r) => r.data);
    for (const event of await this.tail(built?.position ?? 0n, ['CampaignLaunched'])) launched.push(event.data);
    return launched.map((data) => ({ id: data.campaignId, ...data }));
  }

  /**
   * Every version of every bulletin issued (情况通报), newest first, each with when it was issued: a few a week per
   * county, which the caller filters by reach.
   */
  async bulletins(): Promise<IssuedBulletinVersion[]> {
    const built = await this.rows<BulletinRow>(
      'SELECT b.bulletin_id, b.version, b.position, b.issued_at, b.data FROM read_models.bulletins b',
      [],
    );
    const rows = built?.rows ?? [];
    for (const event of await this.tail(built?.position ?? 0n, ['BulletinIssued'])) rows.push(bulletinRow(event));
    return rows
      .sort((a, b) => (BigInt(b.position) > BigInt(a.position) ? 1 : -1))
      .map((r) => ({ ...r.data, issuedAt: new Date(r.issued_at).toISOString() }));
  }

  /**
   * The rows a select over the catalogue's views gives, and the position they are current to, in one statement
   * (one snapshot: the runner commits rows and checkpoint together); null when the catalogue is not built yet.
   */
  private async rows<R>(select: string, values: readonly unknown[]): Promise<{ position: bigint; rows: R[] } | null> {
    try {
      const { rows } = await this.sql.query<{ position: string | null; rows: R[] }>(
        `SELECT (SELECT c.position FROM projection_state s
                   JOIN projection_checkpoints c ON c.name = s.name AND c.generation = s.active_generation
                  WHERE s.name = '${catalogueProjection.name}') AS position,
                coalesce((SELECT json_agg(r) FROM (${select}) r), '[]'::json) AS rows`,
        values,
      );
      return rows[0].position === null ? null : { position: BigInt(rows[0].position), rows: rows[0].rows };
    } catch (error) {
      // 42P01: the read model's views do not exist yet.
      if ((error as { code?: string }).code === '42P01') return null;
      throw error;
    }
  }

  /** The events after the catalogue's checkpoint, in their newest shape, as the projection would get them. */
  private async tail(after: bigint, types: readonly string[]): Promise<StoredEvent[]> {
    return eventUpcasters.upcastAll(await this.store.readAll({ after, eventTypePrefixes: types }));
  }
}
