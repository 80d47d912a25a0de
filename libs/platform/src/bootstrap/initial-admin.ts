import { registerUser } from '@zhenggai/application';
import { SYSTEM_ACTOR } from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import { directoryDeps, Infrastructure } from '../infrastructure/infrastructure';

/**
 * Outside the embedded default nothing is seeded: the first admin comes from ADMIN_USERNAME / ADMIN_PASSWORD,
 * registered by the engine itself (history shows it as `system`).
 */
export async function ensureInitialAdmin(infra: Infrastructure): Promise<'created' | 'exists' | 'not-configured'> {
  const admin = infra.config.initialAdmin;
  if (!admin) return 'not-configured';
  if (await infra.users.findByUsername(admin.username)) return 'exists';
  if ((await infra.users.count()) > 0) return 'exists';
  await registerUser(
    directoryDeps(infra),
    {
      username: admin.username,
      displayName: '系统管理员',
      role: 'admin',
      unitId: null,
      regionScopeId: null,
      passwordHash: await infra.passwordHasher.hash(admin.password),
    },
    { actor: SYSTEM_ACTOR, now: infra.clock.now().toISOString(), correlationId: randomUUID(), causationId: null },
  );
  return 'created';
}
