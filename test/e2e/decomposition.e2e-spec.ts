import { eventually, HttpAnswer, HttpClient, login } from '../support/http-client';
import { quantitiesFromEvents } from '../support/quantities-from-events';
import { reactionsSettled, readModelsCaughtUp, startTestApp, storedEvents, TestApp } from '../support/test-app';

/**
 * 逐级分解 over HTTP (issue 18), with the demo's accounts: the city's inspector assigns 危房改造 in 蔡郢村 to
 * 阜南县住建局 (housing), the county breaks it down to 王堰镇 (unit) and 王家坝镇 (wangjiaba), 王堰镇 breaks its share
 * down to 蔡郢村 (caiying). Each level checks the level below; the top is still verified by the inspection side.
 */
describe('decomposition: 市 → 县 → 镇 → 村 over HTTP', () => {
  let app: TestApp;
  const as: Record<string, HttpClient> = {};
  let unitIds: Record<string, string>;
  let findingId: string;
  let county: string;
  let town: string;
  let townNeighbour: string;
  let village: string;
  let campaignId: string;
  /** Just after the town verified the village's work, before the town itself was verified. */
  let afterVillageVerified: string;

  const eventCount = async () => (await storedEvents(app)).length;
  const post = (user: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    as[user].post(path, body, headers);
  const subtask = (unitId: string, more: Record<string, unknown> = {}) => ({
    unitId,
    deadline: '2030-09-15',
    measures: '拆除破旧房屋，一户一方案',
    ...more,
  });
  /** A refused command: its problem details, and nothing stored. */
  const refused = async (user: string, path: string, body: unknown): Promise<HttpAnswer> => {
    const before = await eventCount();
    const answer = await post(user, path, body);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await eventCount()).toBe(before);
    return answer;
  };

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    const users = ['admin', 'inspector', 'funan-inspector', 'leader', 'housing', 'unit', 'wangjiaba', 'caiying'];
    for (const username of [...users, 'jiangzhai', 'caoji']) as[username] = await login(app.http, username);
    const units: Array<{ id: string; name: string }> = (await as.admin.get('/api/units')).body;
    const regions: Array<{ id: string; name: string }> = (await as.admin.get('/api/regions')).body;
    const unit = (name: string) => units.find((u) => u.name === name)!.id;
    unitIds = {
      housing: unit('阜南县住房和城乡建设局'),
      wangyan: unit('王堰镇人民政府'),
      wangjiaba: unit('王家坝镇人民政府'),
      caiying: unit('蔡郢村民委员会'),
      jiangzhai: unit('姜寨镇人民政府'),
      caoji: unit('曹集镇人民政府'),
    };
    const filed = await post('inspector', '/api/findings', {
      title: '蔡郢村危房改造未清零',
      regionId: regions.find((r) => r.name === '蔡郢村')!.id,
      category: 'dangerous-housing',
      severity: 'high',
    });
    findingId = filed.body.id;
    const launched = await post('inspector', '/api/campaigns', {
      name: '危房改造清零（分解）',
      deadline: '2030-12-31',
      targets: [{ label: '危房改造', quantity: 217, unit: '户' }],
    });
    expect(launched.status).toBe(201);
    campaignId = launched.body.id;
    const assigned = await post('inspector', `/api/findings/${findingId}/tasks`, {
      campaignId,
      unitId: unitIds.housing,
      deadline: '2030-09-30',
      measures: '危房改造清零',
      target: { quantity: 217, unit: '户' },
    });
    expect(assigned.status).toBe(201);
    county = assigned.body.id;
    expect((await post('housing', `/api/tasks/${county}/accept`, {})).status).toBe(200);
  });
  afterAll(() => app?.close());

  it('breaks the county’s task down to two towns, answering with the sub-tasks and the parent’s revision', async () => {
    const answer = await post('housing', `/api/tasks/${county}/subtasks`, {
      subtasks: [
        subtask(unitIds.wangyan, { share: 200, title: '王堰镇危房改造' }),
        subtask(unitIds.wangjiaba, { share: 10 }),
      ],
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('etag')).toBe(`"${answer.body.revision}"`);
    expect(answer.body).toEqual({
      id: county,
      revision: 2,
      subtasks: [
        { id: expect.any(String), revision: 0 },
        { id: expect.any(String), revision: 0 },
      ],
    });
    [town, townNeighbour] = answer.body.subtasks.map((s: { id: string }) => s.id);

    const townTask = (await as.unit.get(`/api/tasks/${town}`)).body;
    expect(townTask).toMatchObject({
      title: '王堰镇危房改造',
      leadUnitId: unitIds.wangyan,
      cooperatingUnitIds: [],
      deadline: '2030-09-15',
      target: { quantity: 200, unit: '户' },
      parentTaskId: county,
      rootTaskId: county,
      depth: 1,
      assigningUnitId: unitIds.housing,
      status: 'assigned',
    });
    // Left untitled, the sub-task takes the parent's title with its unit's name.
    expect((await as.wangjiaba.get(`/api/tasks/${townNeighbour}`)).body.title).toBe(
      '蔡郢村危房改造未清零（王家坝镇人民政府）',
    );
    const history = (await as.housing.get(`/api/tasks/${county}/history`)).body as Array<{ type: string; data: any }>;
    expect(history.map((e) => e.type)).toEqual([
      'RectificationTaskAssigned',
      'RectificationTaskAccepted',
      'RectificationTaskBrokenDown',
    ]);
    expect(history[2].data.subtasks.map((s: { taskId: string }) => s.taskId)).toEqual([town, townNeighbour]);
  });

  it('refuses, naming the field and storing nothing, what the rules forbid', async () => {
    const path = `/api/tasks/${county}/subtasks`;
    const cases: Array<[unknown, number, string, string]> = [
      [{ subtasks: [subtask(unitIds.caoji, { share: 8 })] }, 422, 'SHARES_ABOVE_TARGET', 'subtasks'],
      [{ subtasks: [subtask(unitIds.jiangzhai)] }, 422, 'SUBTASK_UNIT_OUTSIDE_SUBTREE', 'subtasks.0.unitId'],
      [{ subtasks: [subtask(unitIds.housing)] }, 422, 'SUBTASK_FOR_OWN_UNIT', 'subtasks.0.unitId'],
      [
        { subtasks: [subtask(unitIds.caoji, { deadline: '2030-10-01' })] },
        422,
        'SUBTASK_DEADLINE_AFTER_PARENT',
        'subtasks.0.deadline',
      ],
      [{ subtasks: [subtask('7d1c0e2a-0000-4000-8000-000000000000')] }, 400, 'UNKNOWN_UNIT', 'subtasks.0.unitId'],
      [{ subtasks: [subtask(unitIds.caoji, { measures: '' })] }, 400, 'INVALID_FIELD', 'subtasks.0.measures'],
      [{ subtasks: [subtask(unitIds.caoji, { share: 0 })] }, 400, 'INVALID_FIELD', 'subtasks.0.share'],
      [{ subtasks: [] }, 400, 'INVALID_FIELD', 'subtasks'],
    ];
    for (const [body, status, code, field] of cases) {
      const answer = await refused('housing', path, body);
      expect([code, answer.body]).toEqual([code, expect.objectContaining({ status, code, field })]);
    }
    expect((await refused('inspector', path, { subtasks: [subtask(unitIds.caoji)] })).body).toMatchObject({
      status: 403,
      code: 'ROLE_NOT_ALLOWED',
    });
    expect((await refused('leader', path, { subtasks: [subtask(unitIds.caoji)] })).status).toBe(403);
    // A cooperating-free unit of the county that does not lead the task: not its task, so none at all.
    for (const user of ['unit', 'jiangzhai', 'caiying']) {
      expect((await refused(user, path, { subtasks: [subtask(unitIds.caoji)] })).body).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
      });
    }
  });

  it('the town breaks its share down to the village once it has accepted it', async () => {
    const path = `/api/tasks/${town}/subtasks`;
    expect((await refused('unit', path, { subtasks: [subtask(unitIds.caiying)] })).body).toMatchObject({
      status: 409,
      code: 'ILLEGAL_TRANSITION',
    });
    expect((await post('unit', `/api/tasks/${town}/accept`, {})).status).toBe(200);
    const answer = await post(
      'unit',
      path,
      { subtasks: [subtask(unitIds.caiying, { share: 150, deadline: '2030-09-10' })] },
      { 'Idempotency-Key': 'caiying-housing' },
    );
    expect(answer.status).toBe(201);
    village = answer.body.subtasks[0].id;
    // Sent again under the same key: the first answer, nothing appended.
    const before = await eventCount();
    const again = await post(
      'unit',
      path,
      { subtasks: [subtask(unitIds.caiying, { share: 150, deadline: '2030-09-10' })] },
      { 'Idempotency-Key': 'caiying-housing' },
    );
    expect(again.body).toEqual(answer.body);
    expect(await eventCount()).toBe(before);
    expect((await as.caiying.get(`/api/tasks/${village}`)).body).toMatchObject({
      parentTaskId: town,
      rootTaskId: county,
      depth: 2,
      assigningUnitId: unitIds.wangyan,
      target: { quantity: 150, unit: '户' },
    });
  });

  it('lets each level read its own tasks and every sub-task below them, not its siblings nor above', async () => {
    const reach: Record<string, Record<string, number>> = {
      housing: { county: 200, town: 200, townNeighbour: 200, village: 200 },
      unit: { county: 404, town: 200, townNeighbour: 404, village: 200 },
      wangjiaba: { county: 404, town: 404, townNeighbour: 200, village: 404 },
      caiying: { county: 404, town: 404, townNeighbour: 404, village: 200 },
      jiangzhai: { county: 404, town: 404, townNeighbour: 404, village: 404 },
      caoji: { county: 404, town: 404, townNeighbour: 404, village: 404 },
      'funan-inspector': { county: 200, town: 200, townNeighbour: 200, village: 200 },
      inspector: { county: 200, town: 200, townNeighbour: 200, village: 200 },
    };
    const ids: Record<string, string> = { county, town, townNeighbour, village };
    for (const [user, expected] of Object.entries(reach)) {
      const seen: Record<string, number> = {};
      for (const [name, id] of Object.entries(ids)) {
        const [task, history] = [
          await as[user].get(`/api/tasks/${id}`),
          await as[user].get(`/api/tasks/${id}/history`),
        ];
        expect(history.status).toBe(task.status);
        seen[name] = task.status;
      }
      expect([user, seen]).toEqual([user, expected]);
      // The task list holds what the user reads, at every level, and nothing else of the tree.
      await readModelsCaughtUp(app);
      const listed = (await as[user].get(`/api/tasks?pageSize=200`)).body.items.map((item: { id: string }) => item.id);
      const inList = Object.fromEntries(
        Object.entries(ids).map(([name, id]) => [name, listed.includes(id) ? 200 : 404]),
      );
      expect([user, 'list', inList]).toEqual([user, 'list', expected]);
    }
    // Each row names the unit that handed the task out (the one that checks it); a top-level task's names none.
    const rows: Array<{ id: string; assigningUnitId: string | null }> = (
      await as.housing.get('/api/tasks?pageSize=200')
    ).body.items;
    const assigning = (id: string) => rows.find((row) => row.id === id)!.assigningUnitId;
    expect([assigning(county), assigning(town), assigning(townNeighbour), assigning(village)]).toEqual([
      null,
      unitIds.housing,
      unitIds.housing,
      unitIds.wangyan,
    ]);
  });

  it('is checked level by level: the village’s work by the town, never by itself nor the inspection side', async () => {
    expect((await post('caiying', `/api/tasks/${village}/accept`, {})).status).toBe(200);
    expect(
      (await post('caiying', `/api/tasks/${village}/progress`, { quantityDone: 150, note: '拆除完成', evidence: [] }))
        .status,
    ).toBe(200);
    const submitted = await post('caiying', `/api/tasks/${village}/submit`, {
      report: '150 户拆除完成',
      evidence: [{ ref: 'photo-caiying.jpg' }],
    });
    expect(submitted.body).toMatchObject({ status: 'submitted' });

    // 王堰镇 cannot report up while the village's work awaits its sign-off.
    expect(
      (await post('unit', `/api/tasks/${town}/progress`, { quantityDone: 51, note: '镇本级', evidence: [] })).body,
    ).toMatchObject({ status: 422, code: 'QUANTITY_ABOVE_OWN_PART', field: 'quantityDone' });
    expect(
      (await post('unit', `/api/tasks/${town}/progress`, { quantityDone: 50, note: '镇本级', evidence: [] })).status,
    ).toBe(200);
    const early = await refused('unit', `/api/tasks/${town}/submit`, {
      report: '完成',
      evidence: [{ ref: 'photo-wangyan.jpg' }],
    });
    expect(early.body).toMatchObject({ status: 422, code: 'SUBTASKS_OPEN', field: 'subtasks' });
    expect(early.body.detail).toContain(village);

    expect((await refused('caiying', `/api/tasks/${village}/verify`, {})).body).toMatchObject({
      status: 403,
      code: 'NOT_ASSIGNING_UNIT',
    });
    for (const user of ['inspector', 'funan-inspector']) {
      expect((await refused(user, `/api/tasks/${village}/verify`, {})).body).toMatchObject({
        status: 403,
        code: 'ROLE_NOT_ALLOWED',
      });
    }
    // The county reads the village's task but acts one level down only: the town checks its village.
    expect((await refused('housing', `/api/tasks/${village}/verify`, {})).body).toMatchObject({
      status: 403,
      code: 'NOT_ASSIGNING_UNIT',
    });
    const verified = await post('unit', `/api/tasks/${village}/verify`, { note: '镇里验收合格' });
    expect(verified.body).toMatchObject({ status: 'closed' });
    await readModelsCaughtUp(app);
    afterVillageVerified = new Date().toISOString();

    const townSubmitted = await post('unit', `/api/tasks/${town}/submit`, {
      report: '王堰镇 200 户完成',
      evidence: [{ ref: 'photo-wangyan.jpg' }],
    });
    expect(townSubmitted.body).toMatchObject({ status: 'submitted' });
    expect((await refused('unit', `/api/tasks/${town}/verify`, {})).status).toBe(403);
    const sentBack = await post('housing', `/api/tasks/${town}/send-back`, { reason: '照片不清' });
    expect(sentBack.body).toMatchObject({ status: 'in_progress' });
    // Whoever took the step sees it in the tree at once (minRevision: the revision the command answered).
    const tree = await as.housing.get(`/api/tasks/${town}/tree?minRevision=${sentBack.body.revision}`);
    expect(tree.body.nodes.find((n: { id: string }) => n.id === town).status).toBe('in_progress');
    const bad = await as.housing.get(`/api/tasks/${town}/tree?minRevision=-1`);
    expect([bad.status, bad.body.errors?.[0]?.field ?? bad.body.field]).toEqual([400, 'minRevision']);
    // The send-back reaches no further down: the village's task stays closed.
    const villageRead = await as.caiying.get(`/api/tasks/${village}?minRevision=${verified.body.revision}`);
    expect(villageRead.body.status).toBe('closed');
  });

  it('caps a sub-task’s extension at its parent’s deadline, decided by the parent’s unit', async () => {
    expect((await post('wangjiaba', `/api/tasks/${townNeighbour}/accept`, {})).status).toBe(200);
    const path = `/api/tasks/${townNeighbour}/extension-requests`;
    const tooLate = await refused('wangjiaba', path, { deadline: '2030-10-31', reason: '汛期' });
    expect(tooLate.body).toMatchObject({ status: 422, code: 'EXTENSION_AFTER_PARENT_DEADLINE', field: 'deadline' });
    const asked = await post('wangjiaba', path, { deadline: '2030-09-30', reason: '汛期' });
    expect(asked.status).toBe(201);
    const approve = `${path}/${asked.body.requestId}/approve`;
    expect((await refused('inspector', approve, {})).body.code).toBe('ROLE_NOT_ALLOWED');
    expect((await refused('wangjiaba', approve, {})).body.code).toBe('NOT_ASSIGNING_UNIT');
    const approved = await post('housing', approve, {});
    expect(approved.body).toMatchObject({ changed: true });
    const read = await as.wangjiaba.get(`/api/tasks/${townNeighbour}?minRevision=${approved.body.revision}`);
    expect(read.body.deadline).toBe('2030-09-30');
  });

  it('rolls sign-off up: the county submits once each sub-task is verified or cancelled', async () => {
    const submit = { report: '全县危房改造清零', evidence: [{ ref: 'photo-funan.jpg' }] };
    expect((await refused('housing', `/api/tasks/${county}/submit`, submit)).body.code).toBe('SUBTASKS_OPEN');
    // Nor is the county's task cancelled while its towns' are open: they are cancelled first.
    expect((await refused('inspector', `/api/tasks/${county}/cancel`, { reason: '重复交办' })).body).toMatchObject({
      status: 422,
      code: 'SUBTASKS_OPEN',
      field: 'subtasks',
    });
    expect((await post('housing', `/api/tasks/${townNeighbour}/cancel`, { reason: '并入王堰镇实施' })).status).toBe(
      200,
    );
    expect((await post('unit', `/api/tasks/${town}/submit`, { ...submit, report: '补充照片' })).body).toMatchObject({
      status: 'submitted',
    });
    expect((await post('housing', `/api/tasks/${town}/verify`, { note: '县里验收合格' })).body.status).toBe('closed');
    // The cancelled share came back: the county's own part is 217 − 200 = 17.
    expect(
      (await post('housing', `/api/tasks/${county}/progress`, { quantityDone: 18, note: '', evidence: [] })).body.code,
    ).toBe('QUANTITY_ABOVE_OWN_PART');
    expect(
      (await post('housing', `/api/tasks/${county}/progress`, { quantityDone: 17, note: '县本级', evidence: [] }))
        .status,
    ).toBe(200);
    expect((await post('housing', `/api/tasks/${county}/submit`, submit)).body.status).toBe('submitted');
    expect((await refused('unit', `/api/tasks/${county}/verify`, {})).status).toBe(404);
    expect((await post('inspector', `/api/tasks/${county}/verify`, { note: '市里验收' })).body.status).toBe('closed');
  });

  it('leaves the finding to its top-level task: sub-tasks are the parent’s, not the finding’s', async () => {
    await reactionsSettled(app);
    const finding = await eventually(async () => {
      const answer = (await as.inspector.get(`/api/findings/${findingId}`)).body;
      return answer.status === 'resolved' ? answer : undefined;
    });
    expect(finding.taskIds).toEqual([county]);
  });

  /** The campaign's progress as the city's inspector reads it, checked against the events. */
  const progressChecked = async (asOf?: string) => {
    await readModelsCaughtUp(app);
    const query = asOf ? `?asOf=${encodeURIComponent(asOf)}` : '';
    const progress = (await as.inspector.get(`/api/campaigns/${campaignId}/progress${query}`)).body;
    const truth = quantitiesFromEvents(await storedEvents(app), campaignId, asOf ? new Date(asOf) : new Date());
    expect(progress.quantities).toEqual(truth.quantities);
    for (const [unitId, figures] of truth.byUnit)
      expect([unitId, progress.byUnit.find((row: { unitId: string }) => row.unitId === unitId)]).toEqual([
        unitId,
        expect.objectContaining(figures),
      ]);
    // Each share counted once: the total is the top-level target, and the units' own parts add up to it.
    expect(progress.quantities.map((q: { target: number }) => q.target)).toEqual([217]);
    const sum = (rows: Array<{ quantityTarget: number | null }>) =>
      rows.reduce((total, row) => total + (row.quantityTarget ?? 0), 0);
    expect([sum(progress.byUnit), sum(progress.byRegion)]).toEqual([217, 217]);
    return progress;
  };

  it('counts campaign progress once per tree, rolled up to its top-level task, now and as of then', async () => {
    const now = await progressChecked();
    // The county's own 17, the town's own 50, the village's 150 verified by the town, the town's by the county.
    expect(now.quantities).toEqual([{ unit: '户', target: 217, done: 217 }]);
    const then = await progressChecked(afterVillageVerified);
    // Then the town was not verified yet: nothing of its tree had reached the county.
    expect(then.quantities).toEqual([{ unit: '户', target: 217, done: 0 }]);
    expect(then.byUnit.find((row: { unitId: string }) => row.unitId === unitIds.housing)).toMatchObject({
      quantityTarget: 7,
      quantityDone: null,
    });
    const countyTask = (await as.housing.get(`/api/tasks/${county}`)).body;
    expect([countyTask.quantityDone, countyTask.ownQuantityDone]).toEqual([217, 17]);
  });

  it('counts for each unit its part of the tree: its tasks with everything below them, nothing above', async () => {
    await readModelsCaughtUp(app);
    const quantities = async (user: string) =>
      (await as[user].get(`/api/campaigns/${campaignId}/progress`)).body.quantities;
    expect(await quantities('housing')).toEqual([{ unit: '户', target: 217, done: 217 }]);
    expect(await quantities('unit')).toEqual([{ unit: '户', target: 200, done: 200 }]);
    expect(await quantities('caiying')).toEqual([{ unit: '户', target: 150, done: 150 }]);
    // The scoreboard's rows of the tree's units: each level's own and those below it (a unit's other tasks aside).
    const tree = ['housing', 'wangyan', 'wangjiaba', 'caiying'] as const;
    const onBoard = async (user: string) => {
      const rows = (await as[user].get('/api/units/scoreboard')).body.units as Array<{ unitId: string }>;
      return tree.filter((name) => rows.some((row) => row.unitId === unitIds[name]));
    };
    expect(await onBoard('housing')).toEqual(['housing', 'wangyan', 'wangjiaba', 'caiying']);
    expect(await onBoard('unit')).toEqual(['wangyan', 'caiying']);
    // 蔡郢村 cooperates on the seed's tasks of the county and the town; of the sibling town's branch it has nothing.
    expect(await onBoard('caiying')).toContain('caiying');
    expect(await onBoard('caiying')).not.toContain('wangjiaba');
  });

  it('answers a task’s tree within reach, each level seeing its own part and the chain above', async () => {
    await readModelsCaughtUp(app);
    const tree = await as.inspector.get(`/api/tasks/${village}/tree`);
    expect(tree.status).toBe(200);
    expect(tree.body).toMatchObject({ rootTaskId: county, asOf: expect.any(String) });
    const nodes = tree.body.nodes as Array<{ id: string; depth: number }>;
    // Parents come before their sub-tasks; sub-tasks of one break-down in no particular order.
    expect(nodes.map((node) => node.depth)).toEqual([0, 1, 1, 2]);
    const byId = Object.fromEntries(nodes.map((node) => [node.id, node]));
    expect(byId).toEqual({
      [county]: expect.objectContaining({
        id: county,
        depth: 0,
        parentTaskId: null,
        leadUnitId: unitIds.housing,
        leadUnitName: '阜南县住房和城乡建设局',
        regionName: '蔡郢村',
        status: 'closed',
        light: expect.stringMatching(/^closed_/),
        deadline: '2030-09-30',
        target: { quantity: 217, unit: '户' },
        ownTarget: { quantity: 17, unit: '户' },
        quantityDone: 217,
        ownQuantityDone: 17,
        partial: false,
      }),
      [town]: expect.objectContaining({ depth: 1, parentTaskId: county, quantityDone: 200, ownQuantityDone: 50 }),
      [townNeighbour]: expect.objectContaining({ depth: 1, parentTaskId: county, status: 'cancelled' }),
      [village]: expect.objectContaining({ depth: 2, parentTaskId: town, quantityDone: 150, ownQuantityDone: 150 }),
    });

    const shown = async (user: string, taskId: string) =>
      Object.fromEntries(
        ((await as[user].get(`/api/tasks/${taskId}/tree`)).body.nodes as Array<{ id: string; partial: boolean }>).map(
          (node) => [node.id, node.partial],
        ),
      );
    expect(await shown('housing', town)).toEqual({
      [county]: false,
      [town]: false,
      [townNeighbour]: false,
      [village]: false,
    });
    // 王堰镇 sees its task and the village's in full, of the county's only what it answers to, nothing of 王家坝镇's.
    expect(await shown('unit', village)).toEqual({ [county]: true, [town]: false, [village]: false });
    const above = (await as.caiying.get(`/api/tasks/${village}/tree`)).body.nodes[0];
    expect(Object.keys(above).sort()).toEqual([
      'deadline',
      'depth',
      'id',
      'parentTaskId',
      'partial',
      'status',
      'title',
    ]);
    expect(await shown('wangjiaba', townNeighbour)).toEqual({ [county]: true, [townNeighbour]: false });
    for (const [user, taskId] of [
      ['wangjiaba', town],
      ['wangjiaba', village],
      ['caiying', townNeighbour],
      ['jiangzhai', county],
    ])
      expect([user, (await as[user].get(`/api/tasks/${taskId}/tree`)).body]).toEqual([
        user,
        expect.objectContaining({ status: 404, code: 'NOT_FOUND' }),
      ]);

    // As of a past instant: the town not verified yet, so the county had nothing of its tree.
    const then = await as.inspector.get(`/api/tasks/${town}/tree?asOf=${encodeURIComponent(afterVillageVerified)}`);
    expect(then.body.asOf).toBe(afterVillageVerified);
    const node = (id: string) => then.body.nodes.find((n: { id: string }) => n.id === id);
    // A node with a target has done 0 of it until something is reported or verified below, not null.
    expect(node(county)).toMatchObject({
      status: 'in_progress',
      quantityDone: 0,
      ownQuantityDone: 0,
      ownTarget: { quantity: 7 },
    });
    expect(node(townNeighbour)).toMatchObject({ target: { quantity: 10 }, quantityDone: 0, ownQuantityDone: 0 });
    expect(node(town)).toMatchObject({ status: 'in_progress', quantityDone: 200, ownQuantityDone: 50 });
    expect(node(village)).toMatchObject({ status: 'closed' });
    expect(
      (await as.inspector.get(`/api/tasks/${village}/tree?asOf=${encodeURIComponent('2020-01-01T00:00:00Z')}`)).status,
    ).toBe(404);
  });

  it('answers a tree node’s quantity done as null only when it has no target', async () => {
    const regions: Array<{ id: string; name: string }> = (await as.admin.get('/api/regions')).body;
    const filed = await post('inspector', '/api/findings', {
      title: '王堰镇河道垃圾未清理',
      regionId: regions.find((r) => r.name === '王堰镇')!.id,
      category: 'sanitation',
      severity: 'low',
    });
    const assigned = await post('inspector', `/api/findings/${filed.body.id}/tasks`, {
      unitId: unitIds.wangyan,
      deadline: '2030-09-30',
      measures: '清理河道垃圾',
    });
    expect(assigned.status).toBe(201);
    await readModelsCaughtUp(app);
    const nodes = (await as.inspector.get(`/api/tasks/${assigned.body.id}/tree`)).body.nodes;
    expect(nodes).toEqual([
      expect.objectContaining({ target: null, ownTarget: null, quantityDone: null, ownQuantityDone: null }),
    ]);
  });
});
