import { Projection, ProjectionSql, StoredEvent } from '@zhenggai/application';
import type { BulletinIssued, FindingFiled } from '@zhenggai/domain';

/**
 * The catalogue of findings, campaigns and bulletins: what 举一反三 compares (a finding's place, category, severity,
 * when it was filed and whether it is resolved), the campaigns launched and the bulletins issued (情况通报, every
 * version), so that none of these questions reads the whole event store. Readers add the events after the
 * catalogue's checkpoint (`CatalogueQueries`), so each is listed from the moment its event is stored.
 */
export const catalogueProjection: Projection = {
  name: 'catalogue',
  // 2: the bulletins issued. 3: findings indexed as 举一反三 reads them (a category's in one place, nearest-ranked
  // first), so it reads a few rows per place, not every finding of the category.
  version: 3,
  eventTypePrefixes: ['FindingFiled', 'FindingResolved', 'FindingReopened', 'CampaignLaunched', 'BulletinIssued'],

  async setup(sql: ProjectionSql, schema: string): Promise<void> {
    await sql.query(`
      CREATE TABLE "${schema}".findings (
        finding_id uuid PRIMARY KEY,
        title text NOT NULL,
        region_id text NOT NULL,
        category text NOT NULL,
        severity text NOT NULL,
        filed_at timestamptz NOT NULL,
        resolved boolean NOT NULL
      );
      CREATE INDEX ON "${schema}".findings (category, region_id, resolved, filed_at DESC, finding_id);
      CREATE TABLE "${schema}".campaigns (
        campaign_id uuid PRIMARY KEY,
        position bigint NOT NULL,
        launched_at timestamptz NOT NULL,
        data jsonb NOT NULL
      );
      CREATE TABLE "${schema}".bulletins (
        bulletin_id uuid NOT NULL,
        version integer NOT NULL,
        position bigint NOT NULL,
        issued_at timestamptz NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (bulletin_id, version)
      );`);
  },

  views(schema: string) {
    return [
      { name: 'findings', select: `SELECT * FROM "${schema}".findings` },
      { name: 'campaigns', select: `SELECT * FROM "${schema}".campaigns` },
      { name: 'bulletins', select: `SELECT * FROM "${schema}".bulletins` },
    ];
  },

  async apply(sql: ProjectionSql, schema: string, events: readonly StoredEvent[]): Promise<void> {
    const filed = new Map<string, FindingRow>();
    const resolvedLater = new Map<string, boolean>();
    const campaigns: CampaignRow[] = [];
    const bulletins: BulletinRow[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'FindingFiled':
          filed.set(event.data.findingId, findingRow(event));
          break;
        case 'FindingResolved':
        case 'FindingReopened': {
          const resolved = event.type === 'FindingResolved';
          const row = filed.get(event.data.findingId);
          if (row) row.resolved = resolved;
          else resolvedLater.set(event.data.findingId, resolved);
          break;
        }
        case 'CampaignLaunched':
          campaigns.push({
            campaign_id: event.data.campaignId,
            position: event.position.toString(),
            launched_at: occurredAt(event),
            data: event.data,
          });
          break;
        case 'BulletinIssued':
          bulletins.push(bulletinRow(event));
          break;
      }
    }
    if (filed.size > 0) {
      await sql.query(
        `INSERT INTO "${schema}".findings SELECT * FROM ` +
          `jsonb_populate_recordset(NULL::"${schema}".findings, $1::jsonb)`,
        [JSON.stringify([...filed.values()])],
      );
    }
    if (resolvedLater.size > 0) {
      await sql.query(
        `UPDATE "${schema}".findings f SET resolved = u.resolved
           FROM jsonb_to_recordset($1::jsonb) AS u(finding_id uuid, resolved boolean) WHERE f.finding_id =
             u.finding_id`,
        [JSON.stringify([...resolvedLater].map(([finding_id, resolved]) => ({ finding_id, resolved })))],
      );
    }
    if (campaigns.length > 0) {
      await sql.query(
        `INSERT INTO "${schema}".campaigns SELECT * FROM ` +
          `jsonb_populate_recordset(NULL::"${schema}".campaigns, $1::jsonb)`,
        [JSON.stringify(campaigns)],
      );
    }
    if (bulletins.length > 0) {
      await sql.query(
        `INSERT INTO "${schema}".bulletins SELECT * FROM ` +
          `jsonb_populate_recordset(NULL::"${schema}".bulletins, $1::jsonb)`,
        [JSON.stringify(bulletins)],
      );
    }
  },
};

/** A row of the catalogue's `findings` table. */
export interface FindingRow {
  finding_id: string;
  title: string;
  region_id: string;
  category: string;
  severity: string;
  filed_at: string;
  resolved: boolean;
}

interface CampaignRow {
  campaign_id: string;
  position: string;
  launched_at: string;
  data: unknown;
}

/** A row of the catalogue's `bulletins` table: one per version issued. */
export interface BulletinRow {
  bulletin_id: string;
  version: number;
  position: string;
  issued_at: string;
  data: BulletinIssued['data'];
}

/** A `BulletinIssued` event as a row. */
export function bulletinRow(event: StoredEvent): BulletinRow {
  const data = event.data as BulletinIssued['data'];
  return {
    bulletin_id: data.bulletinId,
    version: data.version,
    position: event.position.toString(),
    issued_at: occurredAt(event),
    data,
  };
}

/** A `FindingFiled` event as a row, not yet resolved. */
export function findingRow(event: StoredEvent): FindingRow {
  const data = event.data as FindingFiled['data'];
  return {
    finding_id: data.findingId,
    title: data.title,
    region_id: data.regionId,
    category: data.category,
    severity: data.severity,
    filed_at: occurredAt(event),
    resolved: false,
  };
}

/** When the event says it happened (its `occurredAt`), else when it was stored. */
function occurredAt(event: StoredEvent): string {
  return event.metadata?.occurredAt ?? event.recordedAt;
}
