import { createRegion, defineCategory, registerUnit, registerUser } from '@zhenggai/application';
import { Actor, CommandMetadata, SYSTEM_ACTOR } from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import { directoryDeps, Infrastructure } from '../infrastructure/infrastructure';
import { DEMO_CATEGORIES, DEMO_PASSWORD, DEMO_REGIONS, DEMO_UNITS, DEMO_USERS } from './demo-directory';

/** When the demo's directory was set up: a fortnight before the inspection of 16 May 2018. */
const SET_UP_AT = '2018-05-01T09:00:00+08:00';

/**
 * The demo's regions, units, categories and accounts, set up through the directory's commands like an admin's:
 * the engine registers the admin, the admin the rest, and history shows it.
 */
export async function seedDemoDirectory(infra: Infrastructure) {
  const deps = directoryDeps(infra);
  const by = (actor: Actor): CommandMetadata => ({
    actor,
    now: new Date(SET_UP_AT).toISOString(),
    correlationId: randomUUID(),
    causationId: null,
  });
  const passwordHash = await infra.passwordHasher.hash(DEMO_PASSWORD);
  const actors = new Map<string, Actor>();
  const register = async (
    u: (typeof DEMO_USERS)[number],
    unitId: string | null,
    regionScopeId: string | null,
    as: Actor,
  ) => {
    const { id } = await registerUser(
      deps,
      { username: u.username, displayName: u.displayName, role: u.role, unitId, regionScopeId, passwordHash },
      by(as),
    );
    const actor: Actor = { userId: id, username: u.username, role: u.role, unitId, regionScopeId };
    actors.set(u.username, actor);
    return actor;
  };
  const admin = await register(
    DEMO_USERS.find((u) => u.role === 'admin')!,
    null,
    null,
    SYSTEM_ACTOR,
  );

  const region: Record<string, string> = {};
  for (const r of DEMO_REGIONS) {
    region[r.key] = (
      await createRegion(
        deps,
        { code: r.code, name: r.name, level: r.level, parentId: r.parent ? region[r.parent] : null },
        by(admin),
      )
    ).id;
  }
  const unit: Record<string, string> = {};
  for (const u of DEMO_UNITS) {
    unit[u.key] = (
      await registerUnit(
        deps,
        { name: u.name, regionId: region[u.region], headName: u.headName, contact: null },
        by(admin),
      )
    ).id;
  }
  for (const c of DEMO_CATEGORIES) await defineCategory(deps, c, by(admin));
  for (const u of DEMO_USERS) {
    if (u.role !== 'admin') await register(u, u.unit ? unit[u.unit] : null, u.scope ? region[u.scope] : null, admin);
  }
  return { region, unit, actors };
}
