import { HttpClient, login } from '../support/http-client';
import { reactionsSettled, startTestApp, storedEvents, TestApp } from '../support/test-app';

/** What every client can rely on: revisions, If-Match, Idempotency-Key, roles, problem details. */
describe('the command API', () => {
  let app: TestApp;
  let inspector: HttpClient;
  let unit: HttpClient;
  let leader: HttpClient;
  let unitId: string;
  let otherUnitId: string;
  let regionId: string;

  const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);
  const eventCount = async () => (await storedEvents(app)).length;

  async function newTask(lead = unitId): Promise<string> {
    const filed = await inspector.post('/api/findings', {
      title: '沟渠堵塞',
      regionId,
      category: 'ponds-ditches',
      severity: 'medium',
    });
    const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId: lead,
      deadline: inDays(7),
      measures: '清淤',
    });
    expect(assigned.status).toBe(201);
    return assigned.body.id;
  }

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    inspector = await login(app.http, 'inspector');
    unit = await login(app.http, 'unit');
    leader = await login(app.http, 'leader');
    unitId = (await unit.get('/api/auth/me')).body.unitId;
    const units = (await inspector.get('/api/units')).body as Array<{ id: string; name: string }>;
    otherUnitId = units.find((u) => u.name === '曹集镇人民政府')!.id;
    regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '蔡郢村').id;
    await reactionsSettled(app);
  });
  afterAll(() => app?.close());

  it('gives one success and one 412 to two commands sent with the same If-Match', async () => {
    const taskId = await newTask();
    await unit.post(`/api/tasks/${taskId}/accept`);
    const [a, b] = await Promise.all([
      unit.post(`/api/tasks/${taskId}/progress`, { note: '第一次汇报' }, { 'If-Match': '"1"' }),
      unit.post(`/api/tasks/${taskId}/plan`, { plan: '分段清淤' }, { 'If-Match': '"1"' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const stale = a.status === 412 ? a : b;
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(stale.body).toMatchObject({ status: 412, code: 'STALE_REVISION' });
    expect((await unit.get(`/api/tasks/${taskId}?minRevision=2`)).body.revision).toBe(2);
  });

  it('returns the first answer to a retried Idempotency-Key and appends once', async () => {
    const taskId = await newTask();
    await unit.post(`/api/tasks/${taskId}/accept`);
    const before = await eventCount();
    const first = await unit.post(
      `/api/tasks/${taskId}/progress`,
      { note: '汇报一次' },
      { 'Idempotency-Key': 'progress-1' },
    );
    const retry = await unit.post(
      `/api/tasks/${taskId}/progress`,
      { note: '汇报一次' },
      { 'Idempotency-Key': 'progress-1' },
    );
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await eventCount()).toBe(before + 1);

    const reused = await unit.post(
      `/api/tasks/${taskId}/progress`,
      { note: '另一个请求' },
      { 'Idempotency-Key': 'progress-1' },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await eventCount()).toBe(before + 1);
  });

  it(
    'answers a retry whose first answer was not kept from what its command ' +
      'stored: same ids, nothing appended twice',
    async () => {
      const taskId = await newTask();
      await unit.post(`/api/tasks/${taskId}/accept`);
      const before = await eventCount();
      const sent = [
        [
          inspector,
          '/api/findings',
          { title: '答复丢失的问题', regionId, category: 'roads', severity: 'low' },
          'lost-finding',
        ],
        [
          unit,
          `/api/tasks/${taskId}/extension-requests`,
          { deadline: inDays(30), reason: '雨季施工困难' },
          'lost-extension',
        ],
        [unit, `/api/tasks/${taskId}/progress`, { note: '完成一半' }, 'lost-progress'],
      ] as const;
      const firsts = [];
      for (const [client, path, body, key] of sent)
        firsts.push(await client.post(path, body, { 'Idempotency-Key': key }));
      // The fault: each command ran, but its answer was not stored (the database failed between the two).
      await app.infra.pool.query(`UPDATE idempotency_keys SET answer = NULL WHERE key LIKE 'lost-%'`);
      for (const [i, [client, path, body, key]] of sent.entries()) {
        const retry = await client.post(path, body, { 'Idempotency-Key': key });
        const seen = (answer: typeof retry) => ({
          status: answer.status,
          body: answer.body,
          etag: answer.headers.get('etag'),
          location: answer.headers.get('location'),
        });
        expect(seen(retry)).toEqual(seen(firsts[i]));
        expect(retry.headers.get('idempotent-replayed')).toBeNull(); // rebuilt from the store, not replayed
      }
      expect(firsts.map((answer) => answer.status)).toEqual([201, 201, 200]);
      expect(await eventCount()).toBe(before + 3);
    },
  );

  it(
    'replays a refusal as the same problem, and never keeps an answer for ' + 'a request it did not authenticate',
    async () => {
      const taskId = await newTask();
      const before = await eventCount();
      // Not submitted yet: verifying it is an illegal transition.
      const refused = await inspector.post(`/api/tasks/${taskId}/verify`, {}, { 'Idempotency-Key': 'verify-early' });
      await unit.post(`/api/tasks/${taskId}/accept`);
      const retried = await inspector.post(`/api/tasks/${taskId}/verify`, {}, { 'Idempotency-Key': 'verify-early' });
      expect(refused.status).toBe(409);
      expect(retried.status).toBe(409);
      expect(retried.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.body).toEqual(refused.body);

      // Keys are per user: another user's request with the same key runs as its own.
      const leaderTry = await leader.post(`/api/tasks/${taskId}/verify`, {}, { 'Idempotency-Key': 'verify-early' });
      expect(leaderTry.status).toBe(403);
      expect(leaderTry.headers.get('idempotent-replayed')).toBeNull();

      const anonymous = new HttpClient(app.http.baseUrl);
      for (let i = 0; i < 2; i++) {
        const answer = await anonymous.post(`/api/tasks/${taskId}/accept`, {}, { 'Idempotency-Key': 'no-token' });
        expect(answer.status).toBe(401);
        expect(answer.headers.get('idempotent-replayed')).toBeNull();
      }
      const badKey = await unit.post(`/api/tasks/${taskId}/accept`, {}, { 'Idempotency-Key': 'with space' });
      expect(badKey.status).toBe(400);
      expect(badKey.body.field).toBe('Idempotency-Key');
      expect(await eventCount()).toBe(before + 1); // the acceptance
    },
  );

  it('assigns forty tasks sent at once on one finding: each answered 201 and linked to the finding once', async () => {
    const filed = await inspector.post('/api/findings', {
      title: '同时交办',
      regionId,
      category: 'roads',
      severity: 'low',
    });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        inspector.post(`/api/findings/${filed.body.id}/tasks`, { unitId, deadline: inDays(10), measures: `整改 ${i}` }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const taskIds = answers.map((a) => a.body.id as string);
    const links = (await storedEvents(app)).filter(
      (e) => e.type === 'FindingTaskLinked' && e.streamName === `finding-${filed.body.id}`,
    );
    expect(links.map((e) => e.data.taskId).sort()).toEqual([...taskIds].sort());
  });

  it('stores forty progress reports sent at once to one task without If-Match, each answered 200', async () => {
    const taskId = await newTask();
    await unit.post(`/api/tasks/${taskId}/accept`);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => unit.post(`/api/tasks/${taskId}/progress`, { note: `同时汇报 ${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const reported = (await storedEvents(app)).filter(
      (e) => e.type === 'RectificationTaskProgressReported' && e.data.taskId === taskId,
    );
    expect(reported.map((e) => e.data.note).sort()).toEqual(answers.map((_, i) => `同时汇报 ${i}`).sort());
  });

  it('creates one finding for concurrent retries of the same Idempotency-Key', async () => {
    const body = { title: '重复提交测试', regionId, category: 'roads', severity: 'low' };
    const answers = await Promise.all(
      [1, 2, 3].map(() => inspector.post('/api/findings', body, { 'Idempotency-Key': 'file-once' })),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const other of answers.filter((a) => a.status !== 201))
      expect(other.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    const filed = (await storedEvents(app)).filter((e) => e.type === 'FindingFiled' && e.data.title === '重复提交测试');
    expect(filed).toHaveLength(1);
  });

  it(
    "answers a unit user acting on another unit's task with 404, as if it " + 'did not exist, and stores nothing',
    async () => {
      const taskId = await newTask(otherUnitId);
      const before = await eventCount();
      const answer = await unit.post(`/api/tasks/${taskId}/accept`);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(await eventCount()).toBe(before);
    },
  );

  it('lets leaders read but not command', async () => {
    const taskId = await newTask();
    expect((await leader.get(`/api/tasks/${taskId}`)).status).toBe(200);
    const answer = await leader.post(`/api/tasks/${taskId}/cancel`, { reason: '领导要求' });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('READ_ONLY_ROLE');
  });

  it.each([
    ['a missing field', { regionId: 'x', category: 'roads', severity: 'low' }, 'title'],
    [
      'a wrong type',
      { title: 42, regionId: '00000000-0000-4000-8000-000000000000', category: 'roads', severity: 'low' },
      'title',
    ],
    [
      'a bad enum',
      { title: '问题', regionId: '00000000-0000-4000-8000-000000000000', category: 'roads', severity: 'extreme' },
      'severity',
    ],
    [
      'an unknown field',
      {
        title: '问题',
        regionId: '00000000-0000-4000-8000-000000000000',
        category: 'roads',
        severity: 'low',
        secret: 1,
      },
      'secret',
    ],
    [
      'an unknown region',
      { title: '问题', regionId: '00000000-0000-4000-8000-000000000000', category: 'roads', severity: 'low' },
      'regionId',
    ],
  ])('answers malformed input (%s) with a 400 naming the field, storing nothing', async (_, body, field) => {
    const before = await eventCount();
    const answer = await inspector.post('/api/findings', body);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.field).toBe(field);
    expect(await eventCount()).toBe(before);
  });

  it('names the nested field and the impossible date', async () => {
    const filed = await inspector.post('/api/findings', {
      title: '问题',
      regionId,
      category: 'roads',
      severity: 'low',
    });
    const badTarget = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId,
      deadline: inDays(3),
      measures: '整改',
      target: { quantity: -1, unit: '个' },
    });
    expect(badTarget.status).toBe(400);
    expect(badTarget.body.field).toBe('target.quantity');
    const badDate = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId,
      deadline: '2026-02-30',
      measures: '整改',
    });
    expect(badDate.status).toBe(400);
    expect(badDate.body.field).toBe('deadline');
  });

  it('answers a body that is not JSON with a 400 problem', async () => {
    const answer = await inspector.postRaw('/api/findings', '{"title": ');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('refuses an illegal transition with 409 and a broken rule with 422, storing nothing', async () => {
    const taskId = await newTask();
    const before = await eventCount();
    const verify = await inspector.post(`/api/tasks/${taskId}/verify`, {});
    expect(verify.status).toBe(409);
    expect(verify.body.code).toBe('ILLEGAL_TRANSITION');
    await unit.post(`/api/tasks/${taskId}/accept`);
    const late = await unit.post(`/api/tasks/${taskId}/extension-requests`, {
      deadline: inDays(2),
      reason: '需要更多时间',
    });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('EXTENSION_NOT_LATER');
    expect(late.body.field).toBe('deadline'); // the request's name for it, not the domain's
    expect(await eventCount()).toBe(before + 1);
  });

  it('answers 401 without a token, 404 for an unknown task, 400 for a bad If-Match', async () => {
    expect((await app.http.get('/api/tasks/00000000-0000-4000-8000-000000000000')).status).toBe(401);
    const missing = await inspector.get('/api/tasks/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBeDefined();
    const badLogin = await app.http.post('/api/auth/login', { username: 'inspector', password: 'wrong' });
    expect(badLogin.status).toBe(401);
    const taskId = await newTask();
    const badIfMatch = await unit.post(`/api/tasks/${taskId}/accept`, {}, { 'If-Match': 'yesterday' });
    expect(badIfMatch.status).toBe(400);
    expect(badIfMatch.body.field).toBe('If-Match');
  });

  it('hides tasks of other units from a unit user (404)', async () => {
    const taskId = await newTask(otherUnitId);
    expect((await unit.get(`/api/tasks/${taskId}`)).status).toBe(404);
    expect((await unit.get(`/api/tasks/${taskId}/history`)).status).toBe(404);
  });

  it('serves health and the OpenAPI document', async () => {
    expect((await app.http.get('/health')).body).toMatchObject({ status: 'ok' });
    const doc = await app.http.get('/api/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/findings',
        '/api/findings/{id}/tasks',
        '/api/tasks/{id}/verify',
        '/api/tasks/{id}/extension-requests',
        '/api/campaigns',
      ]),
    );
    expect((await app.http.get('/api/docs')).status).toBe(200);
  });
});
