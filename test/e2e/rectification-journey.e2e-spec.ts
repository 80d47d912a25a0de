import { eventually, HttpClient, login } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/** Issue 2's journey, over HTTP: a finding is filed, assigned, worked, submitted and signed off. */
describe('a rectification from finding to sign-off', () => {
  let app: TestApp;
  let inspector: HttpClient;
  let unit: HttpClient;
  let unitId: string;
  let regionId: string;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    inspector = await login(app.http, 'inspector');
    unit = await login(app.http, 'unit');
    const me = await unit.get('/api/auth/me');
    unitId = me.body.unitId;
    regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '蔡郢村').id;
  });
  afterAll(() => app?.close());

  const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

  it(
    'records every step as an event with its actor, answers each command ' +
      'with the new revision, and resolves the finding',
    async () => {
      const filed = await inspector.post('/api/findings', {
        title: '村内仍有旱厕未拆除',
        description: '回头看发现3处旱厕未拆除',
        regionId,
        category: 'sanitation',
        severity: 'medium',
        source: '回头看督查',
        evidence: [{ ref: 'photos/toilet-1.jpg', name: '现场照片' }],
      });
      expect(filed.status).toBe(201);
      expect(filed.body).toEqual({ id: expect.any(String), revision: 0 });
      expect(filed.headers.get('location')).toBe(`/api/findings/${filed.body.id}`);

      const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
        unitId,
        deadline: inDays(10),
        measures: '拆除剩余旱厕',
        target: { quantity: 3, unit: '个' },
      });
      expect(assigned.status).toBe(201);
      expect(assigned.body).toMatchObject({ id: expect.any(String), revision: 0, findingRevision: 1 });
      const taskId = assigned.body.id;

      const accepted = await unit.post(`/api/tasks/${taskId}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ id: taskId, revision: 1, status: 'accepted' });
      expect(accepted.headers.get('etag')).toBe('"1"');

      const progress = await unit.post(`/api/tasks/${taskId}/progress`, { quantityDone: 2, note: '已拆除2处' });
      expect(progress.body).toMatchObject({ revision: 2, status: 'in_progress' });

      const submitted = await unit.post(`/api/tasks/${taskId}/submit`, {
        report: '3处旱厕全部拆除',
        evidence: [{ ref: 'photos/after.jpg' }],
        quantityDone: 3,
      });
      expect(submitted.body).toMatchObject({ revision: 3, status: 'submitted' });

      const verified = await inspector.post(`/api/tasks/${taskId}/verify`, { note: '同意销号' });
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ revision: 4, status: 'closed' });

      const task = await unit.get(`/api/tasks/${taskId}?minRevision=${verified.body.revision}`);
      expect(task.status).toBe(200);
      expect(task.headers.get('etag')).toBe('"4"');
      expect(task.body).toMatchObject({
        id: taskId,
        status: 'closed',
        statusLabel: '已销号',
        quantityDone: 3,
        leadUnitId: unitId,
      });

      const history = await inspector.get(`/api/tasks/${taskId}/history`);
      expect(history.status).toBe(200);
      expect(history.body.map((e: { type: string }) => e.type)).toEqual([
        'RectificationTaskAssigned',
        'RectificationTaskAccepted',
        'RectificationTaskProgressReported',
        'RectificationTaskSubmitted',
        'RectificationTaskVerified',
      ]);
      expect(history.body.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      expect(history.body.map((e: { actor: { username: string } }) => e.actor.username)).toEqual([
        'inspector',
        'unit',
        'unit',
        'unit',
        'inspector',
      ]);
      const times = history.body.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
      expect(times.every((t: number) => Number.isFinite(t))).toBe(true);
      expect([...times].sort((a, b) => a - b)).toEqual(times);

      // The worker resolves the finding once all its tasks are closed (and the tasks view catches up).
      const finding = await eventually(async () => {
        const answer = await inspector.get(`/api/findings/${filed.body.id}`);
        return answer.body.status === 'resolved' && answer.body.tasks[0]?.status === 'closed' ? answer.body : undefined;
      });
      expect(finding.tasks.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([[taskId, 'closed']]);
    },
  );

  it('moves a deadline only through an approved extension, keeping the old one', async () => {
    const filed = await inspector.post('/api/findings', {
      title: '道路破损',
      regionId,
      category: 'roads',
      severity: 'low',
    });
    const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId,
      deadline: inDays(3),
      measures: '修复道路',
    });
    const taskId = assigned.body.id;
    await unit.post(`/api/tasks/${taskId}/accept`);
    const requested = await unit.post(`/api/tasks/${taskId}/extension-requests`, {
      deadline: inDays(20),
      reason: '雨季施工困难',
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ revision: 2, requestId: expect.any(String) });
    const approved = await inspector.post(
      `/api/tasks/${taskId}/extension-requests/${requested.body.requestId}/approve`,
    );
    expect(approved.status).toBe(200);
    const task = await inspector.get(`/api/tasks/${taskId}?minRevision=${approved.body.revision}`);
    expect(task.body.deadline).toBe(inDays(20));
    expect(task.body.originalDeadline).toBe(inDays(3));
  });

  it('serves the demo story: the dangerous-housing campaign and its tasks', async () => {
    const campaigns = await inspector.get('/api/campaigns');
    expect(campaigns.body.map((c: { name: string; deadline: string }) => [c.name, c.deadline])).toEqual(
      expect.arrayContaining([
        ['危房改造清零', '2018-09-30'],
        ['“四个一”整治全覆盖', '2018-12-31'],
      ]),
    );
  });
});
