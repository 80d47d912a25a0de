import { EsdbDouble } from '../support/esdb-double';
import { eventually, HttpAnswer, HttpClient, login } from '../support/http-client';
import { TcpProxy } from '../support/tcp-proxy';
import { ensureInitialAdmin, NOTIFICATIONS_QUEUE } from '@zhenggai/platform';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120_000);

const ADMIN = { ADMIN_USERNAME: 'ops-admin', ADMIN_PASSWORD: 'a-long-admin-password' };

/** A 503 that says which store and when to try again, rather than a 500 "internal server error". */
function expectUnavailable(answer: HttpAnswer): void {
  expect([answer.status, answer.headers.get('content-type'), answer.headers.get('retry-after')]).toEqual([
    503,
    expect.stringMatching(/^application\/problem\+json/),
    expect.stringMatching(/^\d+$/),
  ]);
  expect(answer.body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
}

const region = (code: string) => ({ code, name: `测试市${code}`, level: 'city' });

/**
 * Issue 15, point 4: with the database or the event store out of reach, commands and reads answered 500
 * "internal server error". They answer 503 STORE_UNAVAILABLE with Retry-After, at once, and work again when the
 * store is back. The store is taken away from this app alone, at a known moment: PostgreSQL behind a proxy the
 * test cuts, EventStoreDB as a test double the test stops.
 */
describe('a store out of reach', () => {
  describe('PostgreSQL', () => {
    let proxy: TcpProxy;
    let app: TestApp;
    let admin: HttpClient;

    beforeAll(async () => {
      const server = new URL(process.env.TEST_DATABASE_URL!);
      proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
      app = await startTestApp({
        env: ADMIN,
        databaseUrl: (url) => {
          const proxied = new URL(url);
          proxied.hostname = '127.0.0.1';
          proxied.port = String(proxy.port);
          return proxied.toString();
        },
      });
      await ensureInitialAdmin(app.infra);
      admin = await login(app.http, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
      expect((await admin.post('/api/regions', region('341200'))).status).toBe(201);
      // BullMQ's PostgreSQL backend migrates its schema on a connection it checks out and watches no errors on: cut
      // during that, the connection's end would be an unhandled 'error' event. Not this test's subject: let it finish.
      await app.infra.queues.queue(NOTIFICATIONS_QUEUE).waitUntilReady();
    });
    afterAll(async () => {
      await proxy?.restore();
      await app?.close();
      await proxy?.close();
    });

    it(
      'answers reads and commands 503 with Retry-After while it is down, and ' + 'works again when it is back',
      async () => {
        await proxy.cut();

        expectUnavailable(await admin.get('/api/regions'));
        expectUnavailable(await admin.post('/api/regions', region('341300')));
        expectUnavailable(
          await app.http.post('/api/auth/login', { username: ADMIN.ADMIN_USERNAME, password: ADMIN.ADMIN_PASSWORD }),
        );
        const health = await app.http.get('/health');
        expect([health.status, health.body.code, health.headers.get('retry-after')]).toEqual([
          503,
          'DATABASE_UNAVAILABLE',
          expect.stringMatching(/^\d+$/),
        ]);

        await proxy.restore();
        await eventually(
          async () => ((await admin.get('/api/regions')).status === 200 ? true : undefined),
          30_000,
          250,
        );
        expect((await admin.post('/api/regions', region('341300'))).status).toBe(201);
      },
    );
  });

  describe('EventStoreDB', () => {
    let double: EsdbDouble;
    let app: TestApp;
    let admin: HttpClient;

    beforeAll(async () => {
      double = await EsdbDouble.start();
      app = await startTestApp({ env: { ...ADMIN, EVENTSTORE: 'esdb', ESDB_URL: double.url } });
      await ensureInitialAdmin(app.infra);
      admin = await login(app.http, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
      expect((await admin.post('/api/regions', region('341200'))).status).toBe(201);
    });
    afterAll(async () => {
      await app?.close();
      double?.stop();
    });

    it(
      'answers a command 503 with Retry-After when the server is gone, while ' + 'reads from PostgreSQL still answer',
      async () => {
        double.stop();

        expectUnavailable(await admin.post('/api/regions', region('341300')));
        expect((await admin.get('/api/regions')).status).toBe(200);
      },
    );
  });
});
