import { Directory, Region, Unit, UnitChannel } from '@zhenggai/application';
import { Pool } from 'pg';

export const directoryMigrations = [
  {
    id: 'directory-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS regions (
        id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('city', 'county', 'town', 'village')),
        parent_id uuid REFERENCES regions (id)
      );
      CREATE TABLE IF NOT EXISTS units (
        id uuid PRIMARY KEY,
        name text NOT NULL UNIQUE,
        region_id uuid NOT NULL REFERENCES regions (id),
        head_name text,
        contact text
      );`,
  },
  {
    id: 'directory-002-unit-channels',
    sql: `ALTER TABLE units ADD COLUMN IF NOT EXISTS channels jsonb NOT NULL DEFAULT '[]'::jsonb;`,
  },
];

interface RegionRow {
  id: string;
  code: string;
  name: string;
  level: Region['level'];
  parent_id: string | null;
}
interface UnitRow {
  id: string;
  name: string;
  region_id: string;
  head_name: string | null;
  contact: string | null;
  channels: UnitChannel[] | null;
}

const toRegion = (r: RegionRow): Region => ({ id: r.id, code: r.code, name: r.name, level: r.level, parentId: r.parent_id });
const toUnit = (r: UnitRow): Unit => ({
  id: r.id,
  name: r.name,
  regionId: r.region_id,
  headName: r.head_name,
  contact: r.contact,
  channels: r.channels ?? [],
});

/**
 * The directory of regions and units (plain tables for now; it becomes event-sourced with issue 5).
 * Every command checks the region or units it names, so found entries are remembered for a minute: regions and
 * units are never deleted, and a minute is as stale as a renamed one can look on another API instance.
 */
export class PostgresDirectory implements Directory {
  private readonly found = new Map<string, { value: Region | Unit; until: number }>();

  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 60_000,
  ) {}

  private async remembered<T extends Region | Unit>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = this.found.get(key);
    if (hit && hit.until > this.now()) return hit.value as T;
    const value = await load();
    if (value) this.found.set(key, { value, until: this.now() + this.ttlMs });
    else this.found.delete(key);
    return value;
  }

  async listRegions(): Promise<Region[]> {
    const { rows } = await this.pool.query<RegionRow>('SELECT * FROM regions ORDER BY code');
    return rows.map(toRegion);
  }

  getRegion(id: string): Promise<Region | null> {
    return this.remembered(`region:${id}`, async () => {
      const { rows } = await this.pool.query<RegionRow>('SELECT * FROM regions WHERE id = $1', [id]);
      return rows[0] ? toRegion(rows[0]) : null;
    });
  }

  async addRegion(region: Region): Promise<void> {
    await this.pool.query('INSERT INTO regions (id, code, name, level, parent_id) VALUES ($1, $2, $3, $4, $5)', [
      region.id,
      region.code,
      region.name,
      region.level,
      region.parentId,
    ]);
  }

  async listUnits(): Promise<Unit[]> {
    const { rows } = await this.pool.query<UnitRow>('SELECT * FROM units ORDER BY name');
    return rows.map(toUnit);
  }

  getUnit(id: string): Promise<Unit | null> {
    return this.remembered(`unit:${id}`, async () => {
      const { rows } = await this.pool.query<UnitRow>('SELECT * FROM units WHERE id = $1', [id]);
      return rows[0] ? toUnit(rows[0]) : null;
    });
  }

  async addUnit(unit: Unit): Promise<void> {
    await this.pool.query('INSERT INTO units (id, name, region_id, head_name, contact, channels) VALUES ($1, $2, $3, $4, $5, $6)', [
      unit.id,
      unit.name,
      unit.regionId,
      unit.headName,
      unit.contact,
      JSON.stringify(unit.channels ?? []),
    ]);
  }

  async setUnitChannels(unitId: string, channels: readonly UnitChannel[]): Promise<void> {
    const { rowCount } = await this.pool.query('UPDATE units SET channels = $2 WHERE id = $1', [unitId, JSON.stringify(channels)]);
    if (rowCount === 0) throw new Error(`unit ${unitId} does not exist`);
    this.found.delete(`unit:${unitId}`);
  }
}
