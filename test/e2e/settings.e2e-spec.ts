import { HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 19, points 3 and 4: the daily digest (每日督办简报) goes out at a time an admin sets (default DIGEST_TIME),
 * an admin command kept in history like the other channel changes.
 */
describe('the daily digest’s time as an admin sets it', () => {
  let app: TestApp;
  let admin: HttpClient;
  let inspector: HttpClient;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    [admin, inspector] = await Promise.all(['admin', 'inspector'].map((u) => login(app.http, u)));
  });
  afterAll(() => app?.close());

  it('is the configured time until an admin sets one, then the one set', async () => {
    expect((await admin.get('/api/settings/digest')).body).toEqual({ time: '08:30', source: 'configuration' });

    const set = await admin.put('/api/settings/digest', { time: '07:45' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ time: '07:45', source: 'setting' });
    expect((await admin.get('/api/settings/digest')).body).toEqual({ time: '07:45', source: 'setting' });
  });

  it('is set by an admin only, to a time HH:MM', async () => {
    expect((await inspector.put('/api/settings/digest', { time: '06:00' })).status).toBe(403);
    expect((await inspector.get('/api/settings/digest')).status).toBe(403);
    for (const time of ['7:45', '24:00', '', null]) {
      const refused = await admin.put('/api/settings/digest', { time });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ status: 400, field: 'time' });
    }
    expect((await admin.put('/api/settings/digest', { time: '07:45', at: 'x' })).status).toBe(400);
    expect((await admin.get('/api/settings/digest')).body).toEqual({ time: '07:45', source: 'setting' });
  });

  it('is kept in history with the time it replaced, once a change (the same time again records nothing)', async () => {
    await admin.put('/api/settings/digest', { time: '07:45' });
    await admin.put('/api/settings/digest', { time: '18:05' });
    await readModelsCaughtUp(app);
    const audit = (await admin.get('/api/audit?type=DigestTimeSet')).body;
    expect(audit.items.map((e: { data: unknown }) => e.data)).toEqual(
      expect.arrayContaining([
        { time: '07:45', previousTime: '08:30' },
        { time: '18:05', previousTime: '07:45' },
      ]),
    );
    expect(audit.items).toHaveLength(2);
    expect(audit.items.every((e: { actor: { username: string } }) => e.actor.username === 'admin')).toBe(true);
  });
});
