import { HttpAnswer, HttpClient, login } from '../support/http-client';
import { ReadModelsService } from '../../apps/api/src/views/read-models.service';
import { readModelsCaughtUp, startTestApp, storedEvents, TestApp } from '../support/test-app';

/**
 * Jurisdiction over HTTP, endpoint by endpoint (issue 5): an inspector and a leader of 阜南县 and a unit of
 * 王堰镇, each against things inside its reach and things outside it (临泉县's task, finding, campaign,
 * region and unit; for the unit, also another unit's task in its own county). What one may not see answers
 * 404 — never 403 — whatever the endpoint, and a refused command stores nothing.
 */
describe('jurisdiction: every endpoint × role × inside and outside', () => {
  let app: TestApp;
  const as: Record<string, HttpClient> = {};
  let ids: Record<
    | 'taskIn'
    | 'taskOtherUnit'
    | 'taskOut'
    | 'findingIn'
    | 'findingOut'
    | 'campaignIn'
    | 'campaignOut'
    | 'regionIn'
    | 'regionOut'
    | 'unitIn'
    | 'unitOut'
    | 'extensionIn'
    | 'extensionOut',
    string
  >;

  const eventCount = async () => (await storedEvents(app)).length;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    for (const username of ['admin', 'inspector', 'leader', 'funan-inspector', 'funan-leader', 'unit', 'jiangzhai'])
      as[username] = await login(app.http, username);
    await readModelsCaughtUp(app);

    const regions: Array<{ id: string; name: string }> = (await as.admin.get('/api/regions')).body;
    const units: Array<{ id: string; name: string }> = (await as.admin.get('/api/units')).body;
    const region = (name: string) => regions.find((r) => r.name === name)!.id;
    const unit = (name: string) => units.find((u) => u.name === name)!.id;
    const tasks: Array<{
      id: string;
      leadUnitId: string;
      status: string;
      findingId: string;
      regionId: string;
      light: string;
      cooperatingUnitIds: string[];
    }> = (await as.admin.get('/api/tasks?pageSize=200')).body.items;
    const open = (unitId: string) =>
      tasks.find(
        (t) => t.leadUnitId === unitId && ['accepted', 'in_progress'].includes(t.status) && t.light !== 'red',
      )!;
    const taskIn = open(unit('王堰镇人民政府'));
    const taskOut = open(unit('姜寨镇人民政府'));
    const wangyan = unit('王堰镇人民政府');
    const taskOtherUnit = tasks.find(
      (t) => t.leadUnitId === unit('曹集镇人民政府') && !t.cooperatingUnitIds.includes(wangyan),
    )!;

    // A campaign of each county, and an extension request waiting on a task of each.
    const launch = async (regionId: string, name: string) =>
      (
        await as.inspector.post('/api/campaigns', {
          name,
          deadline: '2030-12-31',
          scope: { regionId, category: 'roads' },
          targets: [],
        })
      ).body.id as string;
    const ask = async (user: HttpClient, taskId: string, deadline: string) =>
      (await user.post(`/api/tasks/${taskId}/extension-requests`, { deadline, reason: '雨季施工受阻' })).body
        .requestId as string;
    const state = async (taskId: string) => (await as.admin.get(`/api/tasks/${taskId}`)).body as { deadline: string };
    const later = (date: string) =>
      new Date(Date.parse(`${date}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    ids = {
      taskIn: taskIn.id,
      taskOtherUnit: taskOtherUnit.id,
      taskOut: taskOut.id,
      findingIn: taskIn.findingId,
      findingOut: taskOut.findingId,
      campaignIn: await launch(region('阜南县'), '阜南县道路硬化'),
      campaignOut: await launch(region('临泉县'), '临泉县道路硬化'),
      regionIn: region('王堰镇'),
      regionOut: region('姜寨镇'),
      unitIn: unit('王堰镇人民政府'),
      unitOut: unit('姜寨镇人民政府'),
      extensionIn: await ask(as.unit, taskIn.id, later((await state(taskIn.id)).deadline)),
      extensionOut: await ask(as.jiangzhai, taskOut.id, later((await state(taskOut.id)).deadline)),
    };
    expect(Object.values(ids).every(Boolean)).toBe(true);
    await readModelsCaughtUp(app);
  });
  afterAll(() => app?.close());

  type Where = 'in' | 'out';
  const reads: Array<[string, (w: Where) => string]> = [
    ['GET /api/tasks/:id', (w) => `/api/tasks/${w === 'in' ? ids.taskIn : ids.taskOut}`],
    ['GET /api/tasks/:id/history', (w) => `/api/tasks/${w === 'in' ? ids.taskIn : ids.taskOut}/history`],
    ['GET /api/tasks/:id/tree', (w) => `/api/tasks/${w === 'in' ? ids.taskIn : ids.taskOut}/tree`],
    ['GET /api/findings/:id', (w) => `/api/findings/${w === 'in' ? ids.findingIn : ids.findingOut}`],
    ['GET /api/findings/:id/history', (w) => `/api/findings/${w === 'in' ? ids.findingIn : ids.findingOut}/history`],
    ['GET /api/campaigns/:id', (w) => `/api/campaigns/${w === 'in' ? ids.campaignIn : ids.campaignOut}`],
    [
      'GET /api/campaigns/:id/progress',
      (w) => `/api/campaigns/${w === 'in' ? ids.campaignIn : ids.campaignOut}/progress`,
    ],
    ['GET /api/regions/:id', (w) => `/api/regions/${w === 'in' ? ids.regionIn : ids.regionOut}`],
    ['GET /api/units/:id', (w) => `/api/units/${w === 'in' ? ids.unitIn : ids.unitOut}`],
  ];
  const scopedReaders = ['funan-inspector', 'funan-leader', 'unit'];

  describe.each(scopedReaders)('%s reads', (user) => {
    it.each(reads)('%s: inside 200, outside 404', async (_, path) => {
      expect((await as[user].get(path('in'))).status).toBe(200);
      const outside = await as[user].get(path('out'));
      expect(outside.status).toBe(404);
      expect(outside.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });
  });

  it('待办 holds only what its reader may read: the extension request inside the county, not outside', async () => {
    const waiting = async (user: string) =>
      ((await as[user].get('/api/todo?limit=200')).body.items as Array<{ taskId: string; kind: string }>).filter(
        (i) => i.kind === 'extension_request',
      );
    const tasksOf = async (user: string) => (await waiting(user)).map((i) => i.taskId);
    expect(await tasksOf('funan-inspector')).toContain(ids.taskIn);
    expect(await tasksOf('funan-inspector')).not.toContain(ids.taskOut);
    expect(await tasksOf('inspector')).toEqual(expect.arrayContaining([ids.taskIn, ids.taskOut]));
    for (const user of ['unit', 'jiangzhai', 'leader', 'funan-leader']) expect(await waiting(user)).toEqual([]);
    // Whatever anyone's 待办 holds, its task opens for them.
    for (const user of ['inspector', 'funan-inspector', 'unit', 'jiangzhai']) {
      for (const item of (await as[user].get('/api/todo?limit=200')).body.items as Array<{ taskId: string }>)
        expect([user, item.taskId, (await as[user].get(`/api/tasks/${item.taskId}`)).status]).toEqual([
          user,
          item.taskId,
          200,
        ]);
    }
  });

  it("a unit user reads its own unit's tasks only, even in its own county", async () => {
    expect((await as.unit.get(`/api/tasks/${ids.taskOtherUnit}`)).status).toBe(404);
    expect((await as.unit.get(`/api/tasks/${ids.taskOtherUnit}/history`)).status).toBe(404);
    expect((await as.unit.get(`/api/tasks/${ids.taskOtherUnit}/tree`)).status).toBe(404);
    expect((await as['funan-inspector'].get(`/api/tasks/${ids.taskOtherUnit}`)).status).toBe(200);
  });

  it(
    'the hash-chain check of one stream follows the same rule; the whole ' + 'store is for who sees the whole tree',
    async () => {
      for (const user of ['funan-inspector', 'funan-leader']) {
        expect((await as[user].get(`/api/audit/verify?stream=rectificationTask-${ids.taskIn}`)).body).toMatchObject({
          ok: true,
        });
        expect((await as[user].get(`/api/audit/verify?stream=rectificationTask-${ids.taskOut}`)).status).toBe(404);
        expect((await as[user].get(`/api/audit/verify?stream=finding-${ids.findingOut}`)).status).toBe(404);
        expect((await as[user].get(`/api/audit/verify?stream=campaign-${ids.campaignOut}`)).status).toBe(404);
        expect((await as[user].get(`/api/audit/verify?stream=user-${ids.unitOut}`)).status).toBe(404);
        expect((await as[user].get('/api/audit/verify')).status).toBe(403);
      }
      expect((await as.leader.get('/api/audit/verify')).body).toMatchObject({ ok: true });
    },
  );

  const commands: Array<[string, (w: Where) => string, () => Record<string, unknown>]> = [
    ['accept', (w) => `/api/tasks/${task(w)}/accept`, () => ({})],
    ['plan', (w) => `/api/tasks/${task(w)}/plan`, () => ({ plan: '分段施工' })],
    ['progress', (w) => `/api/tasks/${task(w)}/progress`, () => ({ quantityDone: 1, note: '进展', evidence: [] })],
    [
      'submit',
      (w) => `/api/tasks/${task(w)}/submit`,
      () => ({ report: '完成', evidence: [{ ref: 'photo.jpg' }], quantityDone: null }),
    ],
    ['verify', (w) => `/api/tasks/${task(w)}/verify`, () => ({ note: '同意' })],
    ['send-back', (w) => `/api/tasks/${task(w)}/send-back`, () => ({ reason: '材料不全' })],
    ['reassign', (w) => `/api/tasks/${task(w)}/reassign`, () => ({ reason: '调整', unitId: ids.unitIn })],
    ['cancel', (w) => `/api/tasks/${task(w)}/cancel`, () => ({ reason: '重复' })],
    ['reopen', (w) => `/api/tasks/${task(w)}/reopen`, () => ({ reason: '回头看', deadline: '2030-06-30' })],
    [
      'extension request',
      (w) => `/api/tasks/${task(w)}/extension-requests`,
      () => ({ deadline: '2030-06-30', reason: '延期' }),
    ],
    [
      'approve',
      (w) => `/api/tasks/${task(w)}/extension-requests/${w === 'in' ? ids.extensionIn : ids.extensionOut}/approve`,
      () => ({}),
    ],
    [
      'refuse',
      (w) => `/api/tasks/${task(w)}/extension-requests/${w === 'in' ? ids.extensionIn : ids.extensionOut}/refuse`,
      () => ({ reason: '不同意' }),
    ],
    [
      'break down',
      (w) => `/api/tasks/${task(w)}/subtasks`,
      () => ({ subtasks: [{ unitId: ids.unitIn, deadline: '2030-06-30', measures: '分解到村' }] }),
    ],
    [
      'assign',
      (w) => `/api/findings/${w === 'in' ? ids.findingIn : ids.findingOut}/tasks`,
      () => ({ unitId: ids.unitIn, deadline: '2030-06-30', measures: '整改' }),
    ],
  ];
  const task = (w: Where) => (w === 'in' ? ids.taskIn : ids.taskOut);

  const NO_SUCH = '7d1c0e2a-0000-4000-8000-000000000000';

  describe.each(scopedReaders)('%s commands', (user) => {
    it.each(commands)(
      '%s outside its reach: answered as for an id that does not exist (404, ' +
        'or 403 for a role that never may), nothing stored',
      async (_, path, body) => {
        const before = await eventCount();
        const answer = await as[user].post(path('out'), body());
        const nonexistent = await as[user].post(path('out').replace(/[0-9a-f-]{36}/g, NO_SUCH), body());
        expect([404, 403]).toContain(answer.status);
        expect({ status: answer.status, code: answer.body.code }).toEqual({
          status: nonexistent.status,
          code: nonexistent.body.code,
        });
        if (answer.status === 403) expect(['ROLE_NOT_ALLOWED', 'READ_ONLY_ROLE']).toContain(answer.body.code);
        expect(await eventCount()).toBe(before);
      },
    );
  });

  it('a leader commands nothing, even inside its subtree (403: it may see the task, not change it)', async () => {
    for (const [name, path, body] of commands) {
      const before = await eventCount();
      const answer: HttpAnswer = await as['funan-leader'].post(path('in'), body());
      expect([name, answer.status]).toEqual([name, 403]);
      expect(await eventCount()).toBe(before);
    }
  });

  it(
    'names nothing outside its reach: a region, a unit or a campaign scope ' +
      'of another county is one that does not exist',
    async () => {
      const inspector = as['funan-inspector'];
      const filed = await inspector.post('/api/findings', {
        title: '道路破损',
        regionId: ids.regionOut,
        category: 'roads',
        severity: 'low',
      });
      expect(filed.body).toMatchObject({ status: 400, field: 'regionId', code: 'UNKNOWN_REGION' });
      const assigned = await inspector.post(`/api/findings/${ids.findingIn}/tasks`, {
        unitId: ids.unitOut,
        deadline: '2030-06-30',
        measures: '整改',
      });
      expect(assigned.body).toMatchObject({ status: 400, field: 'unitId', code: 'UNKNOWN_UNIT' });
      const launched = await inspector.post('/api/campaigns', {
        name: '越界专项',
        deadline: '2030-12-31',
        scope: { regionId: ids.regionOut, category: null },
        targets: [],
      });
      expect(launched.body).toMatchObject({ status: 400, field: 'scope.regionId' });
      const everywhere = await inspector.post('/api/campaigns', {
        name: '全市专项',
        deadline: '2030-12-31',
        scope: { regionId: null, category: null },
        targets: [],
      });
      expect(everywhere.body).toMatchObject({ status: 400, field: 'scope.regionId' });
      const inside = await inspector.post('/api/findings', {
        title: '道路破损',
        regionId: ids.regionIn,
        category: 'roads',
        severity: 'low',
      });
      expect(inside.status).toBe(201);
    },
  );

  it(
    'lists hold only what is within reach: tasks, deadlines, scoreboard, ' + 'campaigns, regions, units, audit',
    async () => {
      const funanUnits = new Set(
        ((await as['funan-inspector'].get('/api/units')).body as Array<{ id: string }>).map((u) => u.id),
      );
      expect(funanUnits.has(ids.unitIn)).toBe(true);
      expect(funanUnits.has(ids.unitOut)).toBe(false);
      const regionIds = (
        (await as['funan-leader'].get('/api/regions')).body as Array<{ id: string; name: string }>
      ).map((r) => r.name);
      expect(regionIds).toEqual(expect.arrayContaining(['阜阳市', '阜南县', '王堰镇', '蔡郢村']));
      expect(regionIds).not.toContain('临泉县');
      expect(regionIds).not.toContain('姜寨镇');

      for (const user of scopedReaders) {
        for (const path of ['/api/tasks?pageSize=200', '/api/views/deadlines?pageSize=200']) {
          const list = (await as[user].get(path)).body;
          const listed = list.items.map((t: { id: string }) => t.id);
          expect(listed).toContain(ids.taskIn);
          expect(listed).not.toContain(ids.taskOut);
          expect(list.total).toBe(list.items.length);
        }
        const scoreboard = (await as[user].get('/api/units/scoreboard')).body.units.map(
          (u: { unitId: string }) => u.unitId,
        );
        expect(scoreboard).toContain(ids.unitIn);
        expect(scoreboard).not.toContain(ids.unitOut);
        const campaigns = (await as[user].get('/api/campaigns')).body.map((c: { id: string }) => c.id);
        expect(campaigns).toContain(ids.campaignIn);
        expect(campaigns).not.toContain(ids.campaignOut);
      }
      const unitTasks = (await as.unit.get('/api/tasks?pageSize=200')).body.items as Array<{
        id: string;
        leadUnitId: string;
        cooperatingUnitIds: string[];
        parentTaskId: string | null;
      }>;
      // Its own tasks, and the sub-tasks below them (逐级分解, at every depth): each of those answers to a listed task.
      const own = (t: (typeof unitTasks)[number]) =>
        t.leadUnitId === ids.unitIn || t.cooperatingUnitIds.includes(ids.unitIn);
      const below = (t: (typeof unitTasks)[number]): boolean => {
        const parent = unitTasks.find((p) => p.id === t.parentTaskId);
        return !!parent && (own(parent) || below(parent));
      };
      expect(unitTasks.filter((t) => !own(t) && !below(t))).toEqual([]);
      expect(unitTasks.map((t) => t.id)).not.toContain(ids.taskOtherUnit);

      const audit = (await as['funan-leader'].get('/api/audit?type=RectificationTaskAssigned&pageSize=200')).body;
      const streams = new Set(audit.items.map((e: { streamName: string }) => e.streamName));
      expect(streams.has(`rectificationTask-${ids.taskIn}`)).toBe(true);
      expect(streams.has(`rectificationTask-${ids.taskOut}`)).toBe(false);
      const launched = (await as['funan-leader'].get('/api/audit?type=CampaignLaunched&pageSize=200')).body.items.map(
        (e: { streamName: string }) => e.streamName,
      );
      expect(launched).toContain(`campaign-${ids.campaignIn}`);
      expect(launched).not.toContain(`campaign-${ids.campaignOut}`);
      expect(audit.total).toBe(audit.items.length);
      const whole = (await as.leader.get('/api/audit?type=RectificationTaskAssigned&pageSize=200')).body;
      expect(whole.total).toBeGreaterThan(audit.total);
    },
  );

  it('evidence is seen through the tasks that cite it; 举一反三 and the ledger export stay within reach', async () => {
    const upload = await as.jiangzhai.postRaw('/api/evidence', 'a photo of the road', { 'content-type': 'image/png' });
    expect(upload.status).toBe(201);
    const cited = await as.jiangzhai.post(`/api/tasks/${ids.taskOut}/progress`, {
      quantityDone: 1,
      note: '已硬化1公里',
      evidence: [{ ref: upload.body.ref, sha256: upload.body.sha256 }],
    });
    expect(cited.status).toBe(200);
    await readModelsCaughtUp(app);
    const file = `/api/evidence/${upload.body.id}`;
    expect((await as.jiangzhai.get(file)).status).toBe(200);
    expect((await as.inspector.get(file)).status).toBe(200);
    for (const user of scopedReaders) expect([user, (await as[user].get(file)).status]).toEqual([user, 404]);

    const similar = async (user: string) =>
      (
        (await as[user].get(`/api/findings/similar?category=roads&regionId=${ids.regionIn}`)).body as Array<{
          id: string;
        }>
      ).map((f) => f.id);
    expect(await similar('inspector')).toContain(ids.findingOut);
    expect(await similar('funan-inspector')).not.toContain(ids.findingOut);

    const title = ((await as.admin.get(`/api/tasks/${ids.taskOut}`)).body as { title: string }).title;
    const ledger = async (user: string) => String((await as[user].get('/api/tasks/export?format=csv')).body);
    expect(await ledger('leader')).toContain(title);
    expect(await ledger('funan-leader')).not.toContain(title);
  });

  it('the one who signs off is never of the unit that did the work, even an inspector in scope', async () => {
    const submitted = (
      (await as.admin.get('/api/tasks?status=submitted&pageSize=200')).body.items as Array<{
        id: string;
        leadUnitId: string;
      }>
    ).find((t) => t.leadUnitId === ids.unitIn)!;
    const regionId = ((await as.admin.get(`/api/units/${ids.unitIn}`)).body as { regionId: string }).regionId;
    const created = await as.admin.post('/api/users', {
      username: 'wangyan-inspector',
      displayName: '王堰镇督查员',
      role: 'inspector',
      unitId: ids.unitIn,
      regionScopeId: regionId,
      password: 'Wangyan-inspects-2026',
    });
    expect(created.status).toBe(201);
    const own = await login(app.http, 'wangyan-inspector', 'Wangyan-inspects-2026');
    const before = await eventCount();
    expect((await own.post(`/api/tasks/${submitted.id}/verify`, { note: '同意' })).body).toMatchObject({
      status: 403,
      code: 'SELF_SIGN_OFF',
    });
    expect(await eventCount()).toBe(before);
    expect((await as['funan-inspector'].get(`/api/tasks/${submitted.id}`)).body).toMatchObject({ status: 'submitted' });
  });

  it('unscoped city users see both counties', async () => {
    for (const user of ['inspector', 'leader']) {
      expect((await as[user].get(`/api/tasks/${ids.taskOut}`)).status).toBe(200);
      expect((await as[user].get(`/api/campaigns/${ids.campaignOut}/progress`)).status).toBe(200);
    }
  });

  describe(
    'every command field that names another entity: outside the reach it ' + 'answers as one that does not exist',
    () => {
      const cited: Record<'out' | 'in', string> = { out: '', in: '' };
      let submitQuantity: number | null = null;
      let otherUnitIn = '';

      beforeAll(async () => {
        // A photo of 临泉县's task, uploaded and cited there; and one the 王堰镇 unit uploads itself.
        const theirs = await as.jiangzhai.postRaw('/api/evidence', 'a photo of 姜寨镇', {
          'content-type': 'image/png',
        });
        expect(
          (
            await as.jiangzhai.post(`/api/tasks/${ids.taskOut}/progress`, {
              note: '现场照片',
              evidence: [{ ref: theirs.body.ref }],
            })
          ).status,
        ).toBe(200);
        cited.out = theirs.body.id;
        cited.in = (
          await as.unit.postRaw('/api/evidence', 'a photo of 王堰镇', { 'content-type': 'image/png' })
        ).body.id;
        otherUnitIn = ((await as.admin.get('/api/units')).body as Array<{ id: string; name: string }>).find(
          (u) => u.name === '蔡郢村民委员会',
        )!.id;
        submitQuantity =
          ((await as.admin.get(`/api/tasks/${ids.taskIn}`)).body as { target: { quantity: number } | null }).target
            ?.quantity ?? null;
        await readModelsCaughtUp(app);
      }, 60_000);

      const deadline = '2030-06-30';
      type Field = [
        name: string,
        user: string,
        path: () => string,
        body: (value: string) => Record<string, unknown>,
        outside: () => string,
        field: string,
        code: string,
      ];
      const fields: Field[] = [
        [
          'file a finding: regionId',
          'funan-inspector',
          () => '/api/findings',
          (v) => ({ title: '道路破损', regionId: v, category: 'roads', severity: 'low' }),
          () => ids.regionOut,
          'regionId',
          'UNKNOWN_REGION',
        ],
        [
          'file a finding: evidence',
          'funan-inspector',
          () => '/api/findings',
          (v) => ({
            title: '道路破损',
            regionId: ids.regionIn,
            category: 'roads',
            severity: 'low',
            evidence: [{ ref: `evidence:${v}` }],
          }),
          () => cited.out,
          'evidence.0.ref',
          'UNKNOWN_EVIDENCE',
        ],
        [
          'assign: unitId',
          'funan-inspector',
          () => `/api/findings/${ids.findingIn}/tasks`,
          (v) => ({ unitId: v, deadline, measures: '整改' }),
          () => ids.unitOut,
          'unitId',
          'UNKNOWN_UNIT',
        ],
        [
          'assign: cooperatingUnitIds',
          'funan-inspector',
          () => `/api/findings/${ids.findingIn}/tasks`,
          (v) => ({ unitId: ids.unitIn, cooperatingUnitIds: [v], deadline, measures: '整改' }),
          () => ids.unitOut,
          'cooperatingUnitIds.0',
          'UNKNOWN_UNIT',
        ],
        [
          'assign: campaignId',
          'funan-inspector',
          () => `/api/findings/${ids.findingIn}/tasks`,
          (v) => ({ unitId: ids.unitIn, campaignId: v, deadline, measures: '整改' }),
          () => ids.campaignOut,
          'campaignId',
          'UNKNOWN_CAMPAIGN',
        ],
        [
          'reassign: unitId',
          'funan-inspector',
          () => `/api/tasks/${ids.taskIn}/reassign`,
          (v) => ({ unitId: v, reason: '调整' }),
          () => ids.unitOut,
          'unitId',
          'UNKNOWN_UNIT',
        ],
        [
          'reassign: cooperatingUnitIds',
          'funan-inspector',
          () => `/api/tasks/${ids.taskIn}/reassign`,
          (v) => ({ unitId: otherUnitIn, cooperatingUnitIds: [v], reason: '调整' }),
          () => ids.unitOut,
          'cooperatingUnitIds.0',
          'UNKNOWN_UNIT',
        ],
        [
          'progress: evidence',
          'unit',
          () => `/api/tasks/${ids.taskIn}/progress`,
          (v) => ({ note: '进展', evidence: [{ ref: `evidence:${v}` }] }),
          () => cited.out,
          'evidence.0.ref',
          'UNKNOWN_EVIDENCE',
        ],
        [
          'submit: evidence',
          'unit',
          () => `/api/tasks/${ids.taskIn}/submit`,
          (v) => ({ report: '完成', evidence: [{ ref: 'photo.jpg' }, { ref: v }], quantityDone: submitQuantity }),
          () => cited.out,
          'evidence.1.ref',
          'UNKNOWN_EVIDENCE',
        ],
        [
          'launch a campaign: scope.regionId',
          'funan-inspector',
          () => '/api/campaigns',
          (v) => ({ name: '越界专项', deadline: '2030-12-31', scope: { regionId: v, category: null }, targets: [] }),
          () => ids.regionOut,
          'scope.regionId',
          'UNKNOWN_REGION',
        ],
      ];
      const withoutIds = (body: unknown) =>
        JSON.parse(
          JSON.stringify(body).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>'),
        );

      it.each(fields)('%s', async (_, user, path, body, outside, field, code) => {
        const before = await eventCount();
        const answer = await as[user].post(path(), body(outside()));
        const nonexistent = await as[user].post(path(), body(NO_SUCH));
        expect(answer.body).toMatchObject({ status: 400, code, field });
        expect(withoutIds(answer.body)).toEqual(withoutIds(nonexistent.body));
        expect(await eventCount()).toBe(before);
      });

      it('reassign answers exactly as assign does for a unit out of reach', async () => {
        const assigned = await as['funan-inspector'].post(`/api/findings/${ids.findingIn}/tasks`, {
          unitId: ids.unitOut,
          deadline,
          measures: '整改',
        });
        const reassigned = await as['funan-inspector'].post(`/api/tasks/${ids.taskIn}/reassign`, {
          unitId: ids.unitOut,
          reason: '调整',
        });
        const { instance: _a, ...assignAnswer } = assigned.body;
        const { instance: _r, ...reassignAnswer } = reassigned.body;
        expect(reassignAnswer).toEqual(assignAnswer);
        // The unit out of reach never got the task: it still cannot read it.
        expect((await as.jiangzhai.get(`/api/tasks/${ids.taskIn}`)).status).toBe(404);
      });

      it('a refused citation makes nothing readable; within reach, the same fields are accepted', async () => {
        expect((await as.unit.get(`/api/evidence/${cited.out}`)).status).toBe(404);
        const progress = await as.unit.post(`/api/tasks/${ids.taskIn}/progress`, {
          note: '现场照片',
          evidence: [{ ref: `evidence:${cited.in}` }],
        });
        expect(progress.status).toBe(200);
        const filed = await as['funan-inspector'].post('/api/findings', {
          title: '道路破损',
          regionId: ids.regionIn,
          category: 'roads',
          severity: 'low',
        });
        const assigned = await as['funan-inspector'].post(`/api/findings/${filed.body.id}/tasks`, {
          unitId: ids.unitIn,
          cooperatingUnitIds: [],
          campaignId: ids.campaignIn,
          deadline,
          measures: '整改',
        });
        expect(assigned.status).toBe(201);
      });

      it('an admin’s directory commands name only what exists', async () => {
        const answers = [
          [
            await as.admin.post('/api/regions', { code: '341225999', name: '新区', level: 'town', parentId: NO_SUCH }),
            'parentId',
            'UNKNOWN_REGION',
          ],
          [
            await as.admin.post('/api/units', { name: '新单位', regionId: NO_SUCH, headName: null, contact: null }),
            'regionId',
            'UNKNOWN_REGION',
          ],
          [
            await as.admin.post('/api/users', {
              username: 'nobody-1',
              displayName: '某人',
              role: 'unit',
              unitId: NO_SUCH,
              password: 'Nobody-has-a-unit-2026',
            }),
            'unitId',
            'UNKNOWN_UNIT',
          ],
          [
            await as.admin.post('/api/users', {
              username: 'nobody-2',
              displayName: '某人',
              role: 'leader',
              regionScopeId: NO_SUCH,
              password: 'Nobody-has-a-scope-2026',
            }),
            'regionScopeId',
            'UNKNOWN_REGION',
          ],
        ] as const;
        for (const [answer, field, code] of answers)
          expect([field, answer.body]).toEqual([field, expect.objectContaining({ status: 400, field, code })]);
      });
    },
  );

  describe('what may not be seen is not seen, not even by timing or by a neighbour’s ids', () => {
    it(
      'waiting for a revision (minRevision) comes after the visibility ' +
        'check: a task out of reach is refused at once',
      async () => {
        const taskState = jest.spyOn(app.app.get(ReadModelsService).tasks, 'taskState');
        try {
          const outside = await as['funan-inspector'].get(`/api/tasks/${ids.taskOut}?minRevision=1000`);
          expect(outside.status).toBe(404);
          // One look at the read model, no polling for the revision: answered as fast as an id that does not exist.
          expect(taskState).toHaveBeenCalledTimes(1);
          taskState.mockClear();
          expect((await as['funan-inspector'].get(`/api/tasks/${NO_SUCH}?minRevision=1000`)).status).toBe(404);
          expect(taskState).toHaveBeenCalledTimes(1);
          taskState.mockClear();
          // Within reach, it still waits for the caller's own write (and answers with the state it has).
          expect((await as['funan-inspector'].get(`/api/tasks/${ids.taskIn}?minRevision=1000`)).status).toBe(200);
          expect(taskState.mock.calls.length).toBeGreaterThan(1);
        } finally {
          taskState.mockRestore();
        }
      },
    );

    it('the reminder ladders listed are the default and those of campaigns within reach', async () => {
      const ladder = {
        name: '专项催办',
        levels: [
          {
            level: 'reminder',
            label: '提醒',
            kind: 'reminder',
            offset: { days: -5, hourOfDay: 9 },
            recipients: ['unit'],
          },
        ],
      };
      for (const campaign of [ids.campaignIn, ids.campaignOut])
        expect((await as.admin.put(`/api/reminder-policies/${campaign}`, ladder)).status).toBe(200);
      const listed = async (user: string) =>
        ((await as[user].get('/api/reminder-policies')).body as Array<{ id: string }>).map((p) => p.id);
      for (const user of scopedReaders) {
        expect(await listed(user)).toEqual(expect.arrayContaining(['default', ids.campaignIn]));
        expect(await listed(user)).not.toContain(ids.campaignOut);
      }
      expect(await listed('inspector')).toEqual(expect.arrayContaining(['default', ids.campaignIn, ids.campaignOut]));
    });

    it(
      'a unit reading a finding shared with another unit sees its own task ' + 'only, its id included, in every answer',
      async () => {
        const filed = await as.inspector.post('/api/findings', {
          title: '两镇交界道路破损',
          regionId: ids.regionIn,
          category: 'roads',
          severity: 'low',
        });
        const own = await as.inspector.post(`/api/findings/${filed.body.id}/tasks`, {
          unitId: ids.unitIn,
          deadline: '2030-06-30',
          measures: '修路',
        });
        const caoji = ((await as.admin.get('/api/units')).body as Array<{ id: string; name: string }>).find(
          (u) => u.name === '曹集镇人民政府',
        )!.id;
        const neighbours = await as.inspector.post(`/api/findings/${filed.body.id}/tasks`, {
          unitId: caoji,
          deadline: '2030-06-30',
          measures: '修路',
        });
        expect([own.status, neighbours.status]).toEqual([201, 201]);

        const finding = await as.unit.get(`/api/findings/${filed.body.id}`);
        expect(finding.body.taskIds).toEqual([own.body.id]);
        expect(finding.body.tasks.map((t: { id: string }) => t.id)).toEqual([own.body.id]);
        const history = await as.unit.get(`/api/findings/${filed.body.id}/history`);
        expect(history.body.map((e: { type: string }) => e.type)).toEqual(['FindingFiled', 'FindingTaskLinked']);
        for (const answer of [finding, history]) expect(JSON.stringify(answer.body)).not.toContain(neighbours.body.id);
        // The inspector who assigned both sees both.
        expect((await as.inspector.get(`/api/findings/${filed.body.id}`)).body.taskIds).toEqual([
          own.body.id,
          neighbours.body.id,
        ]);
      },
    );
  });

  describe('a task broken down 县 → 镇 → 村 (逐级分解)', () => {
    const chain: Record<'county' | 'town' | 'village', string> = { county: '', town: '', village: '' };

    beforeAll(async () => {
      for (const username of ['housing', 'caiying', 'wangjiaba', 'caoji'])
        as[username] = await login(app.http, username);
      const units: Array<{ id: string; name: string }> = (await as.admin.get('/api/units')).body;
      const unit = (name: string) => units.find((u) => u.name === name)!.id;
      const assigned = await as.inspector.post(`/api/findings/${ids.findingIn}/tasks`, {
        unitId: unit('阜南县住房和城乡建设局'),
        deadline: '2030-06-30',
        measures: '危房改造清零',
      });
      chain.county = assigned.body.id;
      const breakDown = async (user: string, taskId: string, unitId: string) => {
        expect((await as[user].post(`/api/tasks/${taskId}/accept`, {})).status).toBe(200);
        const answer = await as[user].post(`/api/tasks/${taskId}/subtasks`, {
          subtasks: [{ unitId, deadline: '2030-06-30', measures: '分解落实' }],
        });
        expect(answer.status).toBe(201);
        return answer.body.subtasks[0].id as string;
      };
      chain.town = await breakDown('housing', chain.county, ids.unitIn);
      chain.village = await breakDown('unit', chain.town, unit('蔡郢村民委员会'));
      await readModelsCaughtUp(app);
    });

    const treeReads: Array<[string, (id: string) => string]> = [
      ['GET /api/tasks/:id', (id) => `/api/tasks/${id}`],
      ['GET /api/tasks/:id/history', (id) => `/api/tasks/${id}/history`],
      ['GET /api/tasks/:id/tree', (id) => `/api/tasks/${id}/tree`],
    ];
    // Each reader's answer for the county's, the town's and the village's task: a unit reads its own tasks and
    // everything below them (the chain above only as the tree's summary), a scoped reader its region's every level.
    const matrix: Array<[string, [county: number, town: number, village: number]]> = [
      ['housing', [200, 200, 200]],
      ['unit', [404, 200, 200]],
      ['caiying', [404, 404, 200]],
      ['wangjiaba', [404, 404, 404]],
      ['caoji', [404, 404, 404]],
      ['jiangzhai', [404, 404, 404]],
      ['funan-inspector', [200, 200, 200]],
      ['funan-leader', [200, 200, 200]],
    ];

    it.each(treeReads)('%s at every level of the tree, for each reader', async (_, path) => {
      for (const [user, expected] of matrix) {
        const answers = [];
        for (const id of [chain.county, chain.town, chain.village]) answers.push((await as[user].get(path(id))).status);
        expect([user, answers]).toEqual([user, expected]);
      }
    });

    it('the task list of each unit holds the same tasks of the tree', async () => {
      for (const [user, expected] of matrix.filter(([user]) => !user.startsWith('funan-'))) {
        const listed = (await as[user].get('/api/tasks?pageSize=200')).body.items.map((t: { id: string }) => t.id);
        const answers = [chain.county, chain.town, chain.village].map((id) => (listed.includes(id) ? 200 : 404));
        expect([user, answers]).toEqual([user, expected]);
      }
    });

    it('the county reads the village’s task but acts one level down only: 403, nothing stored', async () => {
      const before = await eventCount();
      for (const [path, body] of [
        ['verify', {}],
        ['send-back', { reason: '退回' }],
        ['cancel', { reason: '撤销' }],
      ] as const) {
        const answer = await as.housing.post(`/api/tasks/${chain.village}/${path}`, body);
        expect([path, answer.status, answer.body.code]).toEqual([path, 403, 'NOT_ASSIGNING_UNIT']);
      }
      // Outside the tree's reach the same command answers as for a task that does not exist.
      expect((await as.wangjiaba.post(`/api/tasks/${chain.village}/cancel`, { reason: '撤销' })).status).toBe(404);
      expect(await eventCount()).toBe(before);
    });
  });
});
