import { Infrastructure } from '../infrastructure/infrastructure';

/** Outside the embedded default nothing is seeded: the first admin comes from ADMIN_USERNAME / ADMIN_PASSWORD. */
export async function ensureInitialAdmin(infra: Infrastructure): Promise<'created' | 'exists' | 'not-configured'> {
  const admin = infra.config.initialAdmin;
  if (!admin) return 'not-configured';
  if (await infra.users.findByUsername(admin.username)) return 'exists';
  if ((await infra.users.count()) > 0) return 'exists';
  await infra.users.create({
    id: infra.ids.newId(),
    username: admin.username,
    displayName: '系统管理员',
    role: 'admin',
    unitId: null,
    passwordHash: await infra.passwordHasher.hash(admin.password),
  });
  return 'created';
}
