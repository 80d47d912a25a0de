import { Category, Directory, DirectoryChange, DirectoryRead, Region, Unit, UnitChannel } from '@zhenggai/application';
import { Pool, PoolClient } from 'pg';

export const directoryMigrations = [
  {
    // The tables are what the directory's events say: each row remembers the revision of its stream it
    // reflects; natural keys are made unique by the streams' name-based ids, so the tables never refuse an event.
    id: 'directory-001-tables',
    sql: `
      CREATE TABLE regions (
        id uuid PRIMARY KEY,
        code text NOT NULL,
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('city', 'county', 'town', 'village')),
        parent_id uuid,
        path uuid[] NOT NULL,
        revision integer NOT NULL
      );
      CREATE INDEX regions_code ON regions (code);
      CREATE TABLE units (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        region_id uuid NOT NULL,
        head_name text,
        contact text,
        channels jsonb NOT NULL DEFAULT '[]'::jsonb,
        revision integer NOT NULL
      );
      CREATE INDEX units_name ON units (name);
      CREATE TABLE categories (
        id uuid PRIMARY KEY,
        code text NOT NULL,
        name text NOT NULL,
        revision integer NOT NULL
      );
      CREATE INDEX categories_code ON categories (code);`,
  },
];

interface RegionRow {
  id: string;
  code: string;
  name: string;
  level: Region['level'];
  parent_id: string | null;
  path: string[];
}
interface UnitRow {
  id: string;
  name: string;
  region_id: string;
  head_name: string | null;
  contact: string | null;
  channels: UnitChannel[];
}

const toRegion = (r: RegionRow): Region => ({
  id: r.id,
  code: r.code,
  name: r.name,
  level: r.level,
  parentId: r.parent_id,
  path: r.path,
});
const toUnit = (r: UnitRow): Unit => ({
  id: r.id,
  name: r.name,
  regionId: r.region_id,
  headName: r.head_name,
  contact: r.contact,
  channels: r.channels,
});

type Row = Record<string, unknown>;

/**
 * How each directory event changes the tables: the row it creates or the columns it sets. Applying is guarded
 * by the stream revision, so an event applied twice (by the command, then by the worker) changes nothing.
 */
const CHANGES: Record<string, { table: string; id: string; create?: (d: any) => Row; set?: (d: any) => Row }> = {
  RegionCreated: {
    table: 'regions',
    id: 'regionId',
    create: (d) => ({ code: d.code, name: d.name, level: d.level, parent_id: d.parentId, path: d.path }),
  },
  RegionRenamed: { table: 'regions', id: 'regionId', set: (d) => ({ name: d.name }) },
  UnitRegistered: {
    table: 'units',
    id: 'unitId',
    create: (d) => ({ name: d.name, region_id: d.regionId, head_name: d.headName, contact: d.contact }),
  },
  UnitDetailsChanged: {
    table: 'units',
    id: 'unitId',
    set: (d) => ({ name: d.name, head_name: d.headName, contact: d.contact }),
  },
  UnitChannelsChanged: { table: 'units', id: 'unitId', set: () => ({}) },
  UserRegistered: {
    table: 'users',
    id: 'userId',
    create: (d) => ({
      username: d.username,
      display_name: d.displayName,
      role: d.role,
      unit_id: d.unitId,
      region_scope_id: d.regionScopeId,
    }),
  },
  UserAccessChanged: {
    table: 'users',
    id: 'userId',
    set: (d) => ({ display_name: d.displayName, role: d.role, unit_id: d.unitId, region_scope_id: d.regionScopeId }),
  },
  UserDisabled: { table: 'users', id: 'userId', set: () => ({ disabled: true }) },
  UserEnabled: { table: 'users', id: 'userId', set: () => ({ disabled: false }) },
  UserPasswordChanged: { table: 'users', id: 'userId', set: () => ({}) },
  CategoryDefined: { table: 'categories', id: 'categoryId', create: (d) => ({ code: d.code, name: d.name }) },
  CategoryRenamed: { table: 'categories', id: 'categoryId', set: (d) => ({ name: d.name }) },
};

async function applyChange(client: PoolClient, change: DirectoryChange): Promise<string | null> {
  const how = CHANGES[change.type];
  if (!how) return null;
  const id = change.data[how.id] as string;
  const newer = `${how.table}.revision < $2`;
  if (how.create) {
    const row = how.create(change.data);
    const columns = Object.keys(row);
    const values = columns.map((_, i) => `$${i + 3}`);
    await client.query(
      `INSERT INTO ${how.table} (id, revision, ${columns.join(', ')}) VALUES ($1, $2, ${values.join(', ')})
       ON CONFLICT (id) DO UPDATE SET revision = $2, ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} WHERE
         ${newer}`,
      [id, change.revision, ...columns.map((c) => row[c])],
    );
  } else {
    const row = how.set!(change.data);
    const columns = Object.keys(row);
    await client.query(
      `UPDATE ${how.table} SET revision = ` +
        `$2${columns.map((c, i) => `, ${c} = $${i + 3}`).join('')} WHERE id = ` +
        `$1 AND ${newer}`,
      [id, change.revision, ...columns.map((c) => row[c])],
    );
  }
  return id;
}

/**
 * The directory's tables, kept from its events (see the `Directory` port). Every command checks the region,
 * units or category it names, so found entries are remembered for a minute: regions, units and categories are
 * never deleted, a region never moves, a category keeps its code, and a minute is as stale as a renamed one can look
 * on another API instance. What is not found is asked again each time (it may have been defined meanwhile).
 */
export class PostgresDirectory implements Directory {
  private readonly found = new Map<string, { value: Region | Unit | Category; until: number }>();

  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 60_000,
  ) {}

  private async remembered<T extends Region | Unit | Category>(
    key: string,
    read: DirectoryRead,
    load: () => Promise<T | null>,
  ): Promise<T | null> {
    const hit = read.stored ? undefined : this.found.get(key);
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

  getRegion(id: string, read: DirectoryRead = {}): Promise<Region | null> {
    return this.remembered(`region:${id}`, read, async () => {
      const { rows } = await this.pool.query<RegionRow>('SELECT * FROM regions WHERE id = $1', [id]);
      return rows[0] ? toRegion(rows[0]) : null;
    });
  }

  async findRegionByCode(code: string): Promise<Region | null> {
    const { rows } = await this.pool.query<RegionRow>('SELECT * FROM regions WHERE code = $1 LIMIT 1', [code]);
    return rows[0] ? toRegion(rows[0]) : null;
  }

  async listUnits(): Promise<Unit[]> {
    const { rows } = await this.pool.query<UnitRow>('SELECT * FROM units ORDER BY name');
    return rows.map(toUnit);
  }

  getUnit(id: string, read: DirectoryRead = {}): Promise<Unit | null> {
    return this.remembered(`unit:${id}`, read, async () => {
      const { rows } = await this.pool.query<UnitRow>('SELECT * FROM units WHERE id = $1', [id]);
      return rows[0] ? toUnit(rows[0]) : null;
    });
  }

  async findUnitByName(name: string): Promise<Unit | null> {
    const { rows } = await this.pool.query<UnitRow>('SELECT * FROM units WHERE name = $1 LIMIT 1', [name]);
    return rows[0] ? toUnit(rows[0]) : null;
  }

  async listCategories(): Promise<Category[]> {
    const { rows } = await this.pool.query<Category>('SELECT id, code, name FROM categories ORDER BY code');
    return rows;
  }

  findCategoryByCode(code: string): Promise<Category | null> {
    return this.remembered(`category:${code}`, {}, async () => {
      const { rows } = await this.pool.query<Category>(
        'SELECT id, code, name FROM categories WHERE code = $1 LIMIT 1',
        [code],
      );
      return rows[0] ?? null;
    });
  }

  async setUnitChannels(unitId: string, channels: readonly UnitChannel[]): Promise<void> {
    const { rowCount } = await this.pool.query('UPDATE units SET channels = $2 WHERE id = $1', [
      unitId,
      JSON.stringify(channels),
    ]);
    if (rowCount === 0) throw new Error(`unit ${unitId} does not exist`);
    this.found.delete(`unit:${unitId}`);
  }

  async apply(changes: readonly DirectoryChange[]): Promise<void> {
    if (changes.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const touched: string[] = [];
      for (const change of changes) {
        const id = await applyChange(client, change);
        if (id) touched.push(id);
      }
      await client.query('COMMIT');
      for (const id of touched) {
        this.found.delete(`region:${id}`);
        this.found.delete(`unit:${id}`);
      }
      // Categories are remembered by their code.
      for (const [key, { value }] of this.found) {
        if (key.startsWith('category:') && touched.includes(value.id)) this.found.delete(key);
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
