import { ManualClock } from '@zhenggai/application';
import { HttpClient, login } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Accounts over HTTP: lockout, rate limits, refresh with rotation, logout and disabling that take effect at once,
 * headers.
 */
describe('accounts and sessions', () => {
  const clock = new ManualClock(new Date());
  let app: TestApp;
  let admin: HttpClient;

  const signIn = (username: string, password = 'rectify-demo') =>
    app.http.post('/api/auth/login', { username, password });

  beforeAll(async () => {
    app = await startTestApp({
      seed: true,
      clock,
      env: {
        LOGIN_MAX_FAILURES: '3',
        LOGIN_LOCK_SECONDS: '600',
        LOGIN_RATE_PER_MINUTE: '25',
        CORS_ORIGINS: 'https://cockpit.example.gov.cn',
      },
    });
    admin = await login(app.http, 'admin');
  });
  afterAll(() => app?.close());

  it(
    'locks an account after failed sign-ins in a row, says until when, and ' + 'lets it in again after the lock',
    async () => {
      expect((await signIn('caiying', 'wrong-1')).status).toBe(401);
      expect((await signIn('caiying', 'wrong-2')).status).toBe(401);
      const locked = await signIn('caiying', 'wrong-3');
      expect(locked.status).toBe(429);
      expect(locked.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(590);
      // Even the right password waits for the lock to pass.
      expect((await signIn('caiying')).status).toBe(429);
      clock.advance(601_000);
      expect((await signIn('caiying')).status).toBe(200);
    },
  );

  it('renews a session with its refresh token once; a second use of the same token ends the session', async () => {
    const first = (await signIn('wangjiaba')).body;
    expect(first).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const renewed = await app.http.post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(renewed.status).toBe(200);
    expect(renewed.body.refreshToken).not.toBe(first.refreshToken);
    const me = await app.http.as(renewed.body.accessToken).get('/api/auth/me');
    expect(me.body.username).toBe('wangjiaba');

    const replayed = await app.http.post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await app.http.as(renewed.body.accessToken).get('/api/auth/me')).status).toBe(401);
    expect((await app.http.post('/api/auth/refresh', { refreshToken: renewed.body.refreshToken })).status).toBe(401);
  });

  it('ends a session on logout: its access token and refresh token stop working at once', async () => {
    const session = (await signIn('caoji')).body;
    const client = app.http.as(session.accessToken);
    expect((await client.get('/api/tasks')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect((await client.get('/api/tasks')).status).toBe(401);
    expect((await app.http.post('/api/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
  });

  it('lets an admin disable an account with immediate effect, and enable it again', async () => {
    const session = (await signIn('housing')).body;
    const client = app.http.as(session.accessToken);
    expect((await client.get('/api/tasks')).status).toBe(200);
    const disabled = await admin.post(`/api/users/${session.user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect((await client.get('/api/tasks')).status).toBe(401);
    expect((await signIn('housing')).status).toBe(401);
    expect((await app.http.post('/api/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect((await client.post(`/api/users/${session.user.id}/enable`)).status).toBe(401);
    expect((await admin.post(`/api/users/${session.user.id}/enable`)).status).toBe(200);
    expect((await signIn('housing')).status).toBe(200);
  });

  it('refuses a weak password for a new account, naming the field', async () => {
    const weak = await admin.post('/api/users', {
      username: 'zhao-inspector',
      displayName: '赵督查',
      role: 'inspector',
      password: 'abcdefghijkl',
    });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ field: 'password', code: 'WEAK_PASSWORD' });
    const strong = await admin.post('/api/users', {
      username: 'zhao-inspector',
      displayName: '赵督查',
      role: 'inspector',
      password: 'Funan-2018-huiTou',
    });
    expect(strong.status).toBe(201);
  });

  it('sends security headers, and CORS only to the listed origin', async () => {
    const health = await app.http.get('/health', { origin: 'https://evil.example.com' });
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await app.http.get('/health', { origin: 'https://cockpit.example.gov.cn' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://cockpit.example.gov.cn');
    expect((await app.http.get('/api/docs')).status).toBe(200);
  });

  it('limits sign-in attempts per client address', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 30; i++) answers.push((await signIn(`nobody-${i}`, 'x')).status);
    expect(answers).toContain(429);
    expect(answers.indexOf(429)).toBeGreaterThan(0);
  });
});
