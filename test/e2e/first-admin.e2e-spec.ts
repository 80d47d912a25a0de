import { ensureInitialAdmin } from '@zhenggai/platform';
import { login } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Outside the embedded default nothing is seeded: the first admin comes from configuration and builds the directory.
 */
describe('a production start (DATABASE_URL set)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_USERNAME: 'ops-admin', ADMIN_PASSWORD: 'a-long-admin-password' } });
  });
  afterAll(() => app?.close());

  it('creates the first admin from ADMIN_USERNAME / ADMIN_PASSWORD once, and seeds nothing', async () => {
    expect(app.infra.config.seedDemo).toBe(false);
    expect(await ensureInitialAdmin(app.infra)).toBe('created');
    expect(await ensureInitialAdmin(app.infra)).toBe('exists');
    expect((await app.http.post('/api/auth/login', { username: 'inspector', password: 'rectify-demo' })).status).toBe(
      401,
    );

    const admin = await login(app.http, 'ops-admin', 'a-long-admin-password');
    expect((await admin.get('/api/regions')).body).toEqual([]);
    expect((await admin.get('/api/campaigns')).body).toEqual([]);

    const city = await admin.post('/api/regions', { code: '341200', name: '阜阳市', level: 'city' });
    expect(city.status).toBe(201);
    const unit = await admin.post('/api/units', { name: '阜阳市委督查组', regionId: city.body.id });
    expect(unit.status).toBe(201);
    const user = await admin.post('/api/users', {
      username: 'li-inspector',
      displayName: '李督查',
      role: 'inspector',
      unitId: unit.body.id,
      password: 'another-long-password',
    });
    expect(user.status).toBe(201);
    expect(user.body).not.toHaveProperty('passwordHash');
    const duplicate = await admin.post('/api/users', {
      username: 'li-inspector',
      displayName: '重复',
      role: 'leader',
      password: 'another-long-password',
    });
    expect(duplicate.status).toBe(409);

    const roads = await admin.post('/api/categories', { code: 'roads', name: '道路硬化' });
    expect(roads.status).toBe(201);

    const inspector = await login(app.http, 'li-inspector', 'another-long-password');
    expect(
      (
        await inspector.post('/api/findings', {
          title: '首个问题',
          regionId: city.body.id,
          category: 'bridges',
          severity: 'low',
        })
      ).body,
    ).toMatchObject({
      status: 400,
      field: 'category',
    });
    expect(
      (
        await inspector.post('/api/regions', {
          code: '341225',
          name: '阜南县',
          level: 'county',
          parentId: city.body.id,
        })
      ).status,
    ).toBe(403);
    const filed = await inspector.post('/api/findings', {
      title: '首个问题',
      regionId: city.body.id,
      category: 'roads',
      severity: 'low',
    });
    expect(filed.status).toBe(201);
  });
});
