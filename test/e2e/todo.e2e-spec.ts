import { HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

/**
 * 待办 over HTTP (issue 19): every hand-over lands in the receiver's to-do at once and leaves it when the event that
 * settles it arrives; nothing reaches a user who could not read the task. The demo's accounts: the city's inspector,
 * 阜南县's scoped inspector, 王堰镇 (unit), 蔡郢村 (caiying), and readers who must see nothing of it.
 */
describe('待办 over HTTP: one item per hand-over, for exactly who acts next', () => {
  let app: TestApp;
  const as: Record<string, HttpClient> = {};
  const USERS = ['inspector', 'funan-inspector', 'unit', 'caiying', 'housing', 'jiangzhai', 'leader', 'funan-leader'];
  let unitId: (name: string) => string;
  let regionId: (name: string) => string;

  const post = async (user: string, path: string, body: unknown = {}) => {
    const answer = await as[user].post(path, body);
    if (answer.status >= 300) throw new Error(`${user} ${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  /** For one task, after the read models caught up: which users' to-do holds which kinds (users with none left out). */
  const waitingOn = async (taskId: string) => {
    await readModelsCaughtUp(app);
    const found: Record<string, string[]> = {};
    for (const user of USERS) {
      const todo = (await as[user].get('/api/todo')).body;
      const kinds = todo.items
        .filter((i: { taskId: string }) => i.taskId === taskId)
        .map((i: { kind: string }) => i.kind);
      if (kinds.length > 0) found[user] = kinds.sort();
    }
    return found;
  };
  const evidence = [{ ref: 'photo.jpg' }];

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    for (const user of USERS) as[user] = await login(app.http, user);
    const units: Array<{ id: string; name: string }> = (await as.inspector.get('/api/units')).body;
    const regions: Array<{ id: string; name: string }> = (await as.inspector.get('/api/regions')).body;
    unitId = (name) => units.find((u) => u.name === name)!.id;
    regionId = (name) => regions.find((r) => r.name === name)!.id;
  });
  afterAll(() => app?.close());

  const assignToTown = async (target?: { quantity: number; unit: string }) => {
    const finding = await post('inspector', '/api/findings', {
      title: '村内道路积水',
      regionId: regionId('王堰镇'),
      category: 'roads',
      severity: 'medium',
    });
    return (
      await post('inspector', `/api/findings/${finding.id}/tasks`, {
        unitId: unitId('王堰镇人民政府'),
        deadline: '2030-06-30',
        measures: '疏通排水沟',
        ...(target ? { target } : {}),
      })
    ).id as string;
  };

  it('walks a top-level task through every hand-over: sign, plan, extension, sign-off, send-back', async () => {
    const task = await assignToTown();
    expect(await waitingOn(task)).toEqual({ unit: ['sign'] });
    await post('unit', `/api/tasks/${task}/accept`);
    expect(await waitingOn(task)).toEqual({ unit: ['plan'] });
    await post('unit', `/api/tasks/${task}/plan`, { plan: '分段疏通' });
    expect(await waitingOn(task)).toEqual({});

    const { requestId } = await post('unit', `/api/tasks/${task}/extension-requests`, {
      deadline: '2030-07-31',
      reason: '雨季施工困难',
    });
    // The city's inspectors and the county's, whose region covers 王堰镇: both may decide it.
    expect(await waitingOn(task)).toEqual({
      inspector: ['extension_request'],
      'funan-inspector': ['extension_request'],
    });
    await post('inspector', `/api/tasks/${task}/extension-requests/${requestId}/approve`);
    expect(await waitingOn(task)).toEqual({ unit: ['extension_decided'] });
    const item = (await as.unit.get('/api/todo?kind=extension_decided')).body.items.find(
      (i: { taskId: string }) => i.taskId === task,
    );
    expect(item).toMatchObject({
      title: '村内道路积水',
      deadline: '2030-07-31',
      leadUnitName: '王堰镇人民政府',
      detail: { approved: true, newDeadline: '2030-07-31' },
    });

    await post('unit', `/api/tasks/${task}/submit`, { report: '已疏通', evidence });
    expect(await waitingOn(task)).toEqual({ inspector: ['verify'], 'funan-inspector': ['verify'] });
    await post('inspector', `/api/tasks/${task}/send-back`, { reason: '缺少整改后照片' });
    expect(await waitingOn(task)).toEqual({ unit: ['sent_back'] });
    expect(
      (await as.unit.get('/api/todo')).body.items.find((i: { taskId: string }) => i.taskId === task).detail,
    ).toEqual({ reason: '缺少整改后照片' });
    // Marked 被退回 in every list while it stands sent back, with the reason.
    const row = async () =>
      (await as.unit.get('/api/tasks?pageSize=200')).body.items.find((t: { id: string }) => t.id === task);
    expect((await row()).sentBackReason).toBe('缺少整改后照片');
    await post('unit', `/api/tasks/${task}/submit`, { report: '补充照片', evidence });
    expect(await waitingOn(task)).toEqual({ inspector: ['verify'], 'funan-inspector': ['verify'] });
    expect((await row()).sentBackReason).toBeNull();
    await post('funan-inspector', `/api/tasks/${task}/verify`, { note: '同意销号' });
    expect(await waitingOn(task)).toEqual({});

    await post('inspector', `/api/tasks/${task}/reopen`, { reason: '回头看发现积水', deadline: '2030-08-31' });
    expect(await waitingOn(task)).toEqual({ unit: ['reopened'] });
    await post('unit', `/api/tasks/${task}/progress`, { note: '重新疏通' });
    expect(await waitingOn(task)).toEqual({});
  });

  it('hands a reassigned task to the new unit to sign for; the old unit keeps nothing of it', async () => {
    const task = await assignToTown();
    await post('unit', `/api/tasks/${task}/accept`);
    await post('inspector', `/api/tasks/${task}/reassign`, {
      unitId: unitId('蔡郢村民委员会'),
      reason: '由村委会牵头',
    });
    expect(await waitingOn(task)).toEqual({ caiying: ['sign'] });
  });

  it('gives a sub-task’s sign-off to the unit that broke its parent down, not to the inspectors', async () => {
    const task = await assignToTown({ quantity: 10, unit: '户' });
    await post('unit', `/api/tasks/${task}/accept`);
    const [sub] = (
      await post('unit', `/api/tasks/${task}/subtasks`, {
        subtasks: [{ unitId: unitId('蔡郢村民委员会'), deadline: '2030-06-20', measures: '村内疏通', share: 4 }],
      })
    ).subtasks.map((s: { id: string }) => s.id);
    expect(await waitingOn(task)).toEqual({});
    expect(await waitingOn(sub)).toEqual({ caiying: ['sign'] });
    await post('caiying', `/api/tasks/${sub}/accept`);
    expect(await waitingOn(sub)).toEqual({ caiying: ['plan'] });
    await post('caiying', `/api/tasks/${sub}/progress`, { quantityDone: 4, note: '完成', evidence });
    await post('caiying', `/api/tasks/${sub}/submit`, { report: '4 户完成', evidence, quantityDone: 4 });
    expect(await waitingOn(sub)).toEqual({ unit: ['verify'] });
    await post('unit', `/api/tasks/${sub}/verify`, { note: '镇里验收' });
    expect(await waitingOn(sub)).toEqual({});
  });

  it('counts by kind for a badge, equal to the list; leaders have nothing to do', async () => {
    await readModelsCaughtUp(app);
    for (const user of ['unit', 'inspector', 'caiying']) {
      const list = (await as[user].get('/api/todo?limit=200')).body;
      const counts = (await as[user].get('/api/todo/counts')).body;
      expect(counts).toEqual({ total: list.total, badge: list.total - list.byKind.plan, byKind: list.byKind });
      expect(list.items.length).toBe(Math.min(list.total, 200));
      const since = list.items.map((i: { since: string }) => i.since);
      expect([...since].sort()).toEqual(since);
    }
    expect((await as.leader.get('/api/todo')).body).toMatchObject({ total: 0, badge: 0, items: [] });
    expect((await as.unit.get('/api/todo?kind=nothing')).body).toMatchObject({ status: 400, field: 'kind' });
  });

  it('pages the to-do after the last item shown (after=next): every item once, oldest first', async () => {
    // Two more hand-overs to the town, so that its to-do fills several pages of one.
    await assignToTown();
    await assignToTown();
    await readModelsCaughtUp(app);
    const whole = (await as.unit.get('/api/todo?limit=200')).body;
    expect(whole.total).toBeGreaterThan(1);
    expect(whole.next).toBeNull();
    const key = (i: { taskId: string; kind: string }) => `${i.taskId}/${i.kind}`;
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: { items: Array<{ taskId: string; kind: string }>; next: string | null } = (
        await as.unit.get(`/api/todo?limit=1${after ? `&after=${after}` : ''}`)
      ).body;
      expect(page.items.length).toBe(1);
      paged.push(...page.items.map(key));
      after = page.next;
    } while (after);
    expect(paged).toEqual(whole.items.map(key));
    const kind = (await as.unit.get('/api/todo?kind=sign&limit=1')).body;
    const nextOfKind = (await as.unit.get(`/api/todo?kind=sign&limit=200&after=${kind.next}`)).body;
    expect([...kind.items, ...nextOfKind.items].map(key)).toEqual(
      whole.items.filter((i: { kind: string }) => i.kind === 'sign').map(key),
    );
    expect((await as.unit.get('/api/todo?after=yesterday')).body).toMatchObject({ status: 400, field: 'after' });
  });
});
