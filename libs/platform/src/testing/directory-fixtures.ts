import { decideDirectoryCommand, defineCategory, UnitChannel } from '@zhenggai/application';
import {
  CommandMetadata,
  RegionLevel,
  regionDecider,
  regionStreamName,
  Role,
  SYSTEM_ACTOR,
  unitDecider,
  unitStreamName,
  userAccountDecider,
  userStreamName,
} from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import { directoryDeps, Infrastructure } from '../infrastructure/infrastructure';

const bySystem = (infra: Infrastructure): CommandMetadata => ({
  actor: SYSTEM_ACTOR,
  now: infra.clock.now().toISOString(),
  correlationId: randomUUID(),
  causationId: null,
});

/**
 * Directory entries with ids the caller chose, recorded through the directory's deciders by the engine: for
 * tests and benchmarks that need a unit or a user with a known id (the admin endpoints choose ids themselves).
 */
export const directoryFixtures = {
  async region(
    infra: Infrastructure,
    r: { id: string; code: string; name: string; level: RegionLevel; parentId?: string | null },
  ): Promise<void> {
    const parent = r.parentId ? await infra.directory.getRegion(r.parentId) : null;
    await decideDirectoryCommand(directoryDeps(infra), regionDecider, r.id, regionStreamName(r.id), {
      type: 'CreateRegion',
      data: {
        regionId: r.id,
        code: r.code,
        name: r.name,
        level: r.level,
        parent: parent && { regionId: parent.id, code: parent.code, level: parent.level, path: parent.path },
      },
      metadata: bySystem(infra),
    });
  },

  async unit(
    infra: Infrastructure,
    u: { id: string; name: string; regionId: string; headName?: string | null; channels?: readonly UnitChannel[] },
  ): Promise<void> {
    await decideDirectoryCommand(directoryDeps(infra), unitDecider, u.id, unitStreamName(u.id), {
      type: 'RegisterUnit',
      data: { unitId: u.id, regionId: u.regionId, name: u.name, headName: u.headName ?? null, contact: null },
      metadata: bySystem(infra),
    });
    if (u.channels) await infra.directory.setUnitChannels(u.id, u.channels);
  },

  async category(infra: Infrastructure, c: { code: string; name: string }): Promise<void> {
    await defineCategory(directoryDeps(infra), c, bySystem(infra));
  },

  async user(
    infra: Infrastructure,
    u: {
      id: string;
      username: string;
      displayName: string;
      role: Role;
      unitId?: string | null;
      regionScopeId?: string | null;
      passwordHash?: string;
    },
  ): Promise<void> {
    await decideDirectoryCommand(directoryDeps(infra), userAccountDecider, u.id, userStreamName(u.id), {
      type: 'RegisterUser',
      data: {
        userId: u.id,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        unitId: u.unitId ?? null,
        regionScopeId: u.regionScopeId ?? null,
      },
      metadata: bySystem(infra),
    });
    if (u.passwordHash) await infra.users.setPasswordHash(u.id, u.passwordHash);
  },
};
