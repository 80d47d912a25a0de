import { findingStreamName, taskStreamName } from '@zhenggai/domain';
import { HttpClient, login } from '../support/http-client';
import { startTestApp, testEventStoreOnEsdb, TestApp } from '../support/test-app';

/** Issue 5, point 4: history edited in the database behind the application is named by GET /api/audit/verify. */
describe('verifying the hash chain over HTTP', () => {
  let app: TestApp;
  let inspector: HttpClient;
  let leader: HttpClient;
  let unit: HttpClient;
  let findingId: string;
  let taskId: string;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    [inspector, leader, unit] = await Promise.all(
      ['inspector', 'leader', 'unit'].map((username) => login(app.http, username)),
    );
    const unitId = (await unit.get('/api/auth/me')).body.unitId;
    const regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '蔡郢村').id;
    findingId = (
      await inspector.post('/api/findings', {
        title: '旱厕改造台账不全',
        regionId,
        category: 'sanitation',
        severity: 'low',
      })
    ).body.id;
    const assigned = await inspector.post(`/api/findings/${findingId}/tasks`, {
      unitId,
      deadline: '2099-12-31',
      measures: '补齐台账',
      target: { quantity: 407, unit: '座' },
    });
    taskId = assigned.body.id;
    await unit.post(`/api/tasks/${taskId}/accept`);
    await unit.post(`/api/tasks/${taskId}/progress`, { quantityDone: 120, note: '已核对120座' });
  });
  afterAll(() => app?.close());

  it('shows each event’s link in the task’s and the finding’s history', async () => {
    const history = (await leader.get(`/api/tasks/${taskId}/history`)).body as Array<{
      revision: number;
      previousHash: string | null;
      hash: string;
    }>;

    expect(history.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(history[0]!.previousHash).toBeNull();
    expect(history.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    expect(history.slice(1).map((e) => e.previousHash)).toEqual(history.slice(0, -1).map((e) => e.hash));
    const findingHistory = (await inspector.get(`/api/findings/${findingId}/history`)).body;
    expect(findingHistory[1]).toMatchObject({
      previousHash: findingHistory[0].hash,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('names the person and the unit behind each entry of a history, not their login', async () => {
    const history = (await unit.get(`/api/tasks/${taskId}/history`)).body as Array<{
      type: string;
      by: { displayName: string | null; unitName: string | null } | null;
    }>;

    expect(history.map((e) => [e.type, e.by])).toEqual([
      ['RectificationTaskAssigned', { displayName: '市委督查组 督查员', unitName: '阜阳市委督查组' }],
      ['RectificationTaskAccepted', { displayName: '王堰镇人民政府 联络员', unitName: '王堰镇人民政府' }],
      ['RectificationTaskProgressReported', { displayName: '王堰镇人民政府 联络员', unitName: '王堰镇人民政府' }],
    ]);
    const findingHistory = (await inspector.get(`/api/findings/${findingId}/history`)).body;
    expect(findingHistory[0].by).toEqual({ displayName: '市委督查组 督查员', unitName: '阜阳市委督查组' });
  });

  it(
    'answers ok for untouched history, one stream or the whole store (demo ' +
      'data included); only inspectors, leaders and admins may ask',
    async () => {
      const stream = await leader.get(`/api/audit/verify?stream=${taskStreamName(taskId)}`);
      expect(stream.status).toBe(200);
      expect(stream.body).toEqual({ ok: true, checkedStreams: 1, checkedEvents: 3 });

      const whole = await inspector.get('/api/audit/verify');
      expect(whole.status).toBe(200);
      expect(whole.body).toMatchObject({ ok: true });
      expect(whole.body.checkedStreams).toBeGreaterThan(2);
      expect(whole.body.checkedEvents).toBeGreaterThan(5);
      expect(whole.body.firstBroken).toBeUndefined();

      expect((await unit.get('/api/audit/verify')).status).toBe(403);
      expect((await leader.get('/api/audit/verify?stream=no%20such%20thing')).status).toBe(400);
      expect(
        (await leader.get(`/api/audit/verify?stream=${taskStreamName('00000000-0000-4000-8000-000000000000')}`)).body,
      ).toEqual({
        ok: true,
        checkedStreams: 0,
        checkedEvents: 0,
      });
    },
  );

  // An edit in place is a PostgreSQL concern: EventStoreDB's log cannot be edited, only appended to.
  (testEventStoreOnEsdb() ? it.skip : it)(
    'names the stream and revision of an event edited directly in the database',
    async () => {
      const stream = taskStreamName(taskId);
      const { rows } = await app.infra.pool.query<{ global_position: string; hash: string }>(
        `UPDATE events SET data = jsonb_set(data, '{quantityDone}', '407')
          WHERE stream_name = $1 AND stream_revision = 2
       RETURNING global_position, hash`,
        [stream],
      );
      const firstBroken = {
        streamName: stream,
        revision: 2,
        position: rows[0]!.global_position,
        reason: 'hash-mismatch',
        found: rows[0]!.hash,
      };

      const one = await leader.get(`/api/audit/verify?stream=${stream}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual({
        ok: false,
        checkedStreams: 1,
        checkedEvents: 3,
        firstBroken: { ...firstBroken, expected: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
      expect(one.body.firstBroken.expected).not.toBe(rows[0]!.hash);

      const whole = await inspector.get('/api/audit/verify');
      expect(whole.status).toBe(200);
      expect(whole.body).toMatchObject({ ok: false, firstBroken });
      expect((await leader.get(`/api/audit/verify?stream=${findingStreamName(findingId)}`)).body.ok).toBe(true);
    },
  );
});
