import { ManualClock } from '@zhenggai/application';
import IORedis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';

// The global setup leaves TEST_REDIS_URL empty when no Redis answers: then only PostgreSQL is tested.
const REDIS_URL = process.env.TEST_REDIS_URL;

/**
 * Two API replicas (two processes' worth of app, on one database and, with REDIS_URL, one Redis) limit sign-ins as one.
 */
describe.each<[string, () => Record<string, string>]>([
  ['PostgreSQL', () => ({})],
  ...(REDIS_URL
    ? [
        ['Redis', () => ({ REDIS_URL, REDIS_PREFIX: `zg-test-${randomBytes(4).toString('hex')}` })] as [
          string,
          () => Record<string, string>,
        ],
      ]
    : []),
])('the sign-in limit per address, shared by the API replicas (%s)', (_name, storeEnv) => {
  const clock = new ManualClock('2030-06-01T10:00:00+08:00');
  let replicas: TestApp[];
  const env: Record<string, string> = { LOGIN_RATE_PER_MINUTE: '4', ...storeEnv() };

  beforeAll(async () => {
    const first = await startTestApp({ clock, env });
    const second = await startTestApp({ clock, env, databaseUrl: () => first.infra.databaseUrl });
    replicas = [first, second];
  });
  afterAll(async () => {
    for (const replica of [...(replicas ?? [])].reverse()) await replica.close();
    if (env.REDIS_URL) {
      const redis = new IORedis(env.REDIS_URL);
      const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });

  const signInAt = (replica: number, n: number) =>
    replicas[replica]!.http.post('/api/auth/login', { username: `nobody-${n}`, password: 'x' });

  it(
    'counts the attempts at either replica against one limit, and opens a ' + 'new window once the clock passes it',
    async () => {
      const answers: number[] = [];
      for (let n = 0; n < 4; n++) answers.push((await signInAt(n % 2, n)).status);
      expect(answers).toEqual([401, 401, 401, 401]);

      clock.advance(20_000);
      for (const replica of [0, 1]) {
        const refused = await signInAt(replica, 4);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
        expect(refused.body).toMatchObject({
          status: 429,
          code: 'TOO_MANY_LOGINS',
          detail: 'too many sign-in attempts from this address; wait a minute',
        });
        // The window opened at the first attempt, 20 s ago on the clock: 40 s are left.
        expect(Number(refused.headers.get('retry-after'))).toBe(40);
      }

      clock.advance(39_000);
      expect((await signInAt(1, 5)).status).toBe(429);
      clock.advance(1_000);
      expect((await signInAt(1, 6)).status).toBe(401);
      expect((await signInAt(0, 7)).status).toBe(401);
    },
  );
});

/**
 * Behind TRUST_PROXY reverse proxies the limit counts per client address, read from the addresses those hops added to
 * X-Forwarded-For; what a client writes there itself, beyond the trusted hops, is not believed.
 */
describe.each([
  ['behind one proxy (TRUST_PROXY=1)', '1'],
  ['reached directly (TRUST_PROXY unset)', '0'],
])('the sign-in limit per address, %s', (_name, trustProxy) => {
  const clock = new ManualClock('2030-06-01T10:00:00+08:00');
  let app: TestApp | undefined;

  beforeAll(async () => {
    app = await startTestApp({ clock, env: { LOGIN_RATE_PER_MINUTE: '2', TRUST_PROXY: trustProxy } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const signInFrom = async (forwardedFor: string, n: number) =>
    (
      await app!.http.post(
        '/api/auth/login',
        { username: `nobody-${n}`, password: 'x' },
        { 'x-forwarded-for': forwardedFor },
      )
    ).status;

  it('counts each client forwarded by the proxy on its own, whatever the client claims before it', async () => {
    // Two attempts use the first client's allowance, with a made-up address before the one the proxy added.
    expect(await signInFrom('203.0.113.7', 1)).toBe(401);
    expect(await signInFrom('198.51.100.99, 203.0.113.7', 2)).toBe(401);
    const third = await signInFrom('192.0.2.1, 203.0.113.7', 3);
    const otherClient = await signInFrom('203.0.113.8', 4);
    if (trustProxy === '1') {
      expect(third).toBe(429);
      expect(otherClient).toBe(401);
    } else {
      // Reached directly, every request comes from the test's own address: one allowance for all.
      expect(third).toBe(429);
      expect(otherClient).toBe(429);
    }
  });
});
