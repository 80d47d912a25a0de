import { decideDirectoryCommand, DirectoryDeps, nameBasedId } from '@zhenggai/application';
import {
  categoryDecider,
  categoryStreamName,
  CommandMetadata,
  regionDecider,
  regionStreamName,
  SYSTEM_ACTOR,
  unitDecider,
  unitStreamName,
  userAccountDecider,
  userStreamName,
} from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

/**
 * Directory rows written before the directory was kept as events (their `revision` is null) are recorded into
 * history once, by the engine, with the ids they have: nothing stored is lost, and from then on every change
 * to them is an event like any other. A row the directory's rules now refuse stays as it is, with a warning.
 */
export async function importDirectoryRows(pool: Pool, deps: DirectoryDeps, now: Date, warn: (message: string) => void = console.warn): Promise<number> {
  const metadata = (): CommandMetadata => ({ actor: SYSTEM_ACTOR, now: now.toISOString(), correlationId: randomUUID(), causationId: null });
  let imported = 0;
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
      imported++;
    } catch (error) {
      warn(`zhenggai: ${what} stays outside history: ${(error as Error).message}`);
    }
  };
  const { rows: regions } = await pool.query(`SELECT r.*, p.code AS parent_code, p.level AS parent_level, p.path AS parent_path
    FROM regions r LEFT JOIN regions p ON p.id = r.parent_id WHERE r.revision IS NULL ORDER BY coalesce(array_length(r.path, 1), 0), r.code`);
  for (const r of regions) {
    const parent = r.parent_id ? { regionId: r.parent_id, code: r.parent_code, level: r.parent_level, path: r.parent_path ?? [r.parent_id] } : null;
    await attempt(`region ${r.code}`, () =>
      decideDirectoryCommand(deps, regionDecider, r.id, regionStreamName(r.id), { type: 'CreateRegion', data: { regionId: r.id, code: r.code, name: r.name, level: r.level, parent }, metadata: metadata() }),
    );
  }
  const { rows: units } = await pool.query('SELECT * FROM units WHERE revision IS NULL ORDER BY name');
  for (const u of units) {
    await attempt(`unit ${u.name}`, () =>
      decideDirectoryCommand(deps, unitDecider, u.id, unitStreamName(u.id), {
        type: 'RegisterUnit',
        data: { unitId: u.id, regionId: u.region_id, name: u.name, headName: u.head_name, contact: u.contact },
        metadata: metadata(),
      }),
    );
  }
  const { rows: categories } = await pool.query('SELECT * FROM categories WHERE revision IS NULL ORDER BY code');
  for (const c of categories) {
    await attempt(`category ${c.code}`, () =>
      decideDirectoryCommand(deps, categoryDecider, c.id, categoryStreamName(c.id), { type: 'DefineCategory', data: { categoryId: c.id, code: c.code, name: c.name }, metadata: metadata() }),
    );
  }
  // Categories were free text before they were the directory's: the ones findings and campaigns already name
  // become categories (named by their code until an admin renames them), once per installation.
  const claimed = await pool.query(`INSERT INTO directory_imports (name) VALUES ('categories-in-use') ON CONFLICT DO NOTHING RETURNING name`);
  if (claimed.rowCount) {
    const named = new Set<string>();
    for (const event of await deps.store.readAll({ eventTypePrefixes: ['FindingFiled', 'CampaignLaunched'] })) {
      const category = event.type === 'FindingFiled' ? event.data?.category : event.data?.scope?.category;
      if (typeof category === 'string' && category.trim()) named.add(category.trim());
    }
    for (const code of named) {
      if (await deps.directory.findCategoryByCode(code)) continue;
      const categoryId = nameBasedId('category', code);
      await attempt(`category ${code}`, () =>
        decideDirectoryCommand(deps, categoryDecider, categoryId, categoryStreamName(categoryId), { type: 'DefineCategory', data: { categoryId, code, name: code }, metadata: metadata() }),
      );
    }
  }
  const { rows: users } = await pool.query('SELECT * FROM users WHERE revision IS NULL ORDER BY created_at');
  for (const u of users) {
    await attempt(`user ${u.username}`, async () => {
      const stream = userStreamName(u.id);
      const data = { userId: u.id, username: u.username, displayName: u.display_name, role: u.role, unitId: u.unit_id, regionScopeId: u.region_scope_id };
      await decideDirectoryCommand(deps, userAccountDecider, u.id, stream, { type: 'RegisterUser', data, metadata: metadata() });
      if (u.disabled) await decideDirectoryCommand(deps, userAccountDecider, u.id, stream, { type: 'DisableUser', data: {}, metadata: metadata() });
    });
  }
  return imported;
}
