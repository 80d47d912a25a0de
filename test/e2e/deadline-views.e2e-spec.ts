import { HttpClient, login } from '../support/http-client';
import { quantitiesFromEvents } from '../support/quantities-from-events';
import { scoreboardByUnit, scoreboardFromEvents } from '../support/scoreboard-from-events';
import { bandOf as urgencyBandOf, URGENCY_BANDS } from '../support/task-cards';
import { readModelsCaughtUp, startTestApp, storedEvents, TestApp } from '../support/test-app';

interface RegionRow {
  regionName: string;
  quantityTarget: number | null;
  quantityDone: number | null;
  behind: boolean;
}

/** Issue 3 over HTTP: the views leadership and units work from, fed by the worker's projections. */
describe('deadline views over HTTP', () => {
  let app: TestApp;
  let leader: HttpClient;
  let unit: HttpClient;
  let dangerousHousing: string;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    leader = await login(app.http, 'leader');
    unit = await login(app.http, 'unit');
    dangerousHousing = (await leader.get('/api/campaigns')).body.find(
      (c: { name: string }) => c.name === '危房改造清零',
    ).id;
    // The projections catch up with the seeded story.
    await readModelsCaughtUp(app);
  });
  afterAll(() => app?.close());

  it('answers "will dangerous housing be cleared by 30 September, and who is behind?" at every level', async () => {
    const asOf = '2018-09-30T23:59:59+08:00';
    const progress = await leader.get(
      `/api/campaigns/${dangerousHousing}/progress?asOf=${encodeURIComponent(asOf)}&byRegionLevel=county,town,village`,
    );
    expect(progress.status).toBe(200);
    // The city's task to the county, the county's shares to three towns, two towns' shares to a village each.
    expect(progress.body).toMatchObject({
      name: '危房改造清零',
      daysLeft: 0,
      totals: { tasks: 6, closed: 3, open: 3, overdue: 0 },
    });
    expect(progress.body.quantities).toEqual(
      quantitiesFromEvents(await storedEvents(app), dangerousHousing, new Date(asOf)).quantities,
    );
    const named = (level: string) =>
      Object.fromEntries(
        (progress.body.byRegionLevel[level] as RegionRow[])
          .filter((r) => r.quantityTarget)
          .map((r) => [r.regionName, [r.quantityDone, r.quantityTarget, r.behind]]),
      );
    // Which county, which town, which village: 王家坝镇 and its 王家坝村 are behind, so the county is.
    expect(named('county')).toEqual({ 阜南县: [299, 313, true] });
    expect(named('town')).toEqual({ 王堰镇: [86, 86, false], 王家坝镇: [118, 132, true], 曹集镇: [95, 95, false] });
    expect(named('village')).toEqual({
      王堰镇: [62, 62, false],
      蔡郢村: [24, 24, false],
      王家坝镇: [84, 92, true],
      王家坝村: [34, 40, true],
      曹集镇: [95, 95, false],
    });
    const behind = progress.body.byUnit
      .filter((u: { open: number }) => u.open > 0)
      .map((u: { unitName: string }) => u.unitName)
      .sort();
    expect(behind).toEqual(['王家坝村民委员会', '王家坝镇人民政府', '阜南县住房和城乡建设局'].sort());

    const view = await leader.get(
      `/api/views/deadlines?campaignId=${dangerousHousing}&asOf=${encodeURIComponent(asOf)}`,
    );
    expect(view.body.summary).toMatchObject({ yellow: 3, closed_on_time: 3, red: 0 });
    const nextMorning = await leader.get(
      `/api/views/deadlines?campaignId=${dangerousHousing}&asOf=${encodeURIComponent('2018-10-01T08:00:00+08:00')}`,
    );
    expect(nextMorning.body.summary).toMatchObject({ red: 3 });
    // The cockpit's 各单位: each lead unit's lights, counted by the server, most red first, and its red and yellow
    // tasks a page at a time.
    const byUnit = await leader.get(
      `/api/views/deadlines?campaignId=${dangerousHousing}&asOf=${encodeURIComponent('2018-10-01T08:00:00+08:00')}` +
        '&byUnit=true&pageSize=1',
    );
    expect(byUnit.status).toBe(200);
    const units = byUnit.body.byUnit as Array<{ unitName: string; tasks: number; summary: Record<string, number> }>;
    expect(units.slice(0, 3).map((u) => [u.unitName, u.summary.red])).toEqual(
      expect.arrayContaining([
        ['王家坝村民委员会', 1],
        ['王家坝镇人民政府', 1],
        ['阜南县住房和城乡建设局', 1],
      ]),
    );
    expect(units.reduce((n, u) => n + u.tasks, 0)).toBe(byUnit.body.total);
    expect(units.every((u) => u.summary.red + u.summary.closed_on_time === u.tasks)).toBe(true);
    const attention = await leader.get(
      `/api/views/deadlines?campaignId=${dangerousHousing}&asOf=${encodeURIComponent('2018-10-01T08:00:00+08:00')}` +
        '&light=red,yellow&sort=urgency&pageSize=2',
    );
    const rest = await leader.get(
      `/api/views/deadlines?campaignId=${dangerousHousing}&asOf=${encodeURIComponent('2018-10-01T08:00:00+08:00')}` +
        `&light=red,yellow&sort=urgency&pageSize=2&after=${attention.body.next}`,
    );
    expect([...attention.body.items, ...rest.body.items].map((t: { light: string }) => t.light)).toEqual([
      'red',
      'red',
      'red',
    ]);
    expect(rest.body.next).toBeNull();
  });

  it('filters the task list and shows a unit only its own tasks', async () => {
    const mine = await unit.get('/api/tasks?pageSize=200');
    const me = (await unit.get('/api/auth/me')).body;
    expect(mine.body.items.length).toBeGreaterThan(0);
    // Its own tasks, and the sub-tasks it handed down (each answering to one of the listed tasks).
    type Row = { id: string; leadUnitId: string; cooperatingUnitIds: string[]; parentTaskId: string | null };
    const rows: Row[] = mine.body.items;
    const own = (t: Row) => [t.leadUnitId, ...t.cooperatingUnitIds].includes(me.unitId);
    const below = (t: Row): boolean => rows.some((p) => p.id === t.parentTaskId && (own(p) || below(p)));
    expect(rows.filter((t) => !own(t) && !below(t))).toEqual([]);
    expect(rows.filter((t) => !own(t)).length).toBeGreaterThan(0);
    const all = await leader.get('/api/tasks?pageSize=200');
    expect(all.body.total).toBeGreaterThan(mine.body.total);
    const deadlines = all.body.items.map((t: { deadline: string }) => t.deadline);
    expect([...deadlines].sort()).toEqual(deadlines);

    const overdue = await leader.get('/api/tasks?overdue=true');
    expect(overdue.body.items.length).toBeGreaterThan(0);
    for (const task of overdue.body.items) expect(task.light).toBe('red');
    const text = await leader.get(`/api/tasks?q=${encodeURIComponent('饮水')}`);
    expect(text.body.items.map((t: { title: string }) => t.title)).toEqual(['部分农户饮水安全不达标']);
    // 开工建设 is in a task's measures (流转土地，开工建设扶贫车间), not in any title.
    const measures = await leader.get(`/api/tasks?q=${encodeURIComponent('开工建设')}`);
    expect(measures.body.items.map((t: { title: string }) => t.title)).toEqual(['产业发展薄弱，土地零散撂荒']);
  });

  it('lists by urgency when asked (sort=urgency), and pages it without a task twice or missed', async () => {
    type Row = { id: string; status: string; light: string; deadline: string };
    const bandOf = (t: Row) => URGENCY_BANDS.indexOf(urgencyBandOf(t));
    for (const client of [leader, unit]) {
      const whole = await client.get('/api/tasks?sort=urgency&pageSize=200');
      expect(whole.status).toBe(200);
      const rows: Row[] = whole.body.items;
      const bands = rows.map(bandOf);
      // Overdue first, then 待签收, 待验收, the other open tasks; the closed and cancelled ones last.
      expect(bands).toEqual([...bands].sort((a, b) => a - b));
      if (client === leader) expect(bands[0]).toBe(0);
      expect(bands[bands.length - 1]).toBe(4);
      // Within a band by deadline: nearest first while open, the latest first once ended.
      for (let i = 1; i < rows.length; i++) {
        if (bands[i] !== bands[i - 1]) continue;
        const [sooner, later] = bands[i] === 4 ? [rows[i], rows[i - 1]] : [rows[i - 1], rows[i]];
        expect([sooner.deadline, later.deadline].sort()).toEqual([sooner.deadline, later.deadline]);
      }
      const paged: string[] = [];
      for (let page = 1; page <= Math.ceil(whole.body.total / 3); page++)
        paged.push(
          ...(await client.get(`/api/tasks?sort=urgency&pageSize=3&page=${page}`)).body.items.map((t: Row) => t.id),
        );
      expect(paged).toEqual(rows.map((t) => t.id));
    }
    const unknown = await leader.get('/api/tasks?sort=newest');
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('sort');
  });

  it('pages the task list by cursor (after=next) in both orders, as by number, and refuses a stray one', async () => {
    for (const client of [leader, unit])
      for (const [path, sort] of [
        ['/api/tasks', 'deadline'],
        ['/api/tasks', 'urgency'],
        ['/api/views/deadlines', 'deadline'],
      ]) {
        const whole = await client.get(`${path}?sort=${sort}&pageSize=200`);
        expect(whole.body.next).toBeNull();
        const walked: string[] = [];
        let answer = await client.get(`${path}?sort=${sort}&pageSize=4`);
        expect(answer.body).toMatchObject({ page: 1, pageSize: 4, total: whole.body.total });
        for (;;) {
          expect(answer.status).toBe(200);
          walked.push(...answer.body.items.map((t: { id: string }) => t.id));
          if (answer.body.next === null) break;
          answer = await client.get(`${path}?sort=${sort}&pageSize=4&after=${answer.body.next}`);
          expect(answer.body).toMatchObject({ pageSize: 4, total: whole.body.total });
          expect(answer.body.page).toBeUndefined();
        }
        expect([path, sort, walked]).toEqual([path, sort, whole.body.items.map((t: { id: string }) => t.id)]);
      }
    const first = (await leader.get('/api/tasks?pageSize=2')).body.next;
    for (const query of [
      `sort=urgency&after=${first}`,
      `page=2&after=${first}`,
      'after=2018-09-30',
      `after=${first}x`,
    ]) {
      const refused = await leader.get(`/api/tasks?${query}`);
      expect([query, refused.status, refused.body.field]).toEqual([query, 400, 'after']);
    }
  });

  it('scores the units and lists the audit trail by actor and time', async () => {
    const board = await leader.get('/api/units/scoreboard');
    expect(board.body.units.find((u: { unitName: string }) => u.unitName === '王堰镇人民政府')).toMatchObject({
      sendBacks: 1,
    });
    const [from, to] = ['2018-09-01T00:00:00+08:00', '2018-10-31T00:00:00+08:00'].map(encodeURIComponent);
    const audit = await leader.get(`/api/audit?actor=wangjiaba&from=${from}&to=${to}`);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual([
      // At the deadline its report; then it signs off its village's share (验收) before it submits its own.
      'RectificationTaskProgressReported',
      'RectificationTaskVerified',
      'RectificationTaskSubmitted',
    ]);
    expect((await unit.get('/api/audit')).status).toBe(403);
  });

  it('keeps a send-back with the unit whose work was sent back when the task is handed to another unit', async () => {
    const inspector = await login(app.http, 'inspector');
    const unitNamed = async (name: string) =>
      (await inspector.get('/api/units')).body.find((u: { name: string }) => u.name === name).id as string;
    const [wangyan, caoji] = [await unitNamed('王堰镇人民政府'), await unitNamed('曹集镇人民政府')];
    const regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '王堰镇').id;
    const finding = await inspector.post('/api/findings', {
      title: '公厕管护不到位',
      description: '',
      regionId,
      category: 'sanitation',
      severity: 'low',
    });
    const deadline = new Date(Date.now() + 8 * 3600_000 + 20 * 86_400_000).toISOString().slice(0, 10);
    const taskId = (
      await inspector.post(`/api/findings/${finding.body.id}/tasks`, {
        unitId: wangyan,
        deadline,
        measures: '落实专人管护',
      })
    ).body.id;
    await unit.post(`/api/tasks/${taskId}/accept`);
    await unit.post(`/api/tasks/${taskId}/plan`, { plan: '每日保洁' });
    await unit.post(`/api/tasks/${taskId}/submit`, { report: '已落实', evidence: [{ ref: 'photos/toilet.jpg' }] });
    await inspector.post(`/api/tasks/${taskId}/send-back`, { reason: '无管护记录' });
    const reassigned = await inspector.post(`/api/tasks/${taskId}/reassign`, {
      unitId: caoji,
      reason: '改由曹集镇对口帮扶',
    });
    expect(reassigned.status).toBe(200);
    await readModelsCaughtUp(app);

    const board = async (asOf?: string) => {
      const answer = await leader.get(`/api/units/scoreboard${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`);
      return {
        asOf: answer.body.asOf as string,
        units: answer.body.units as Array<{ unitId: string; sendBacks: number; open: number }>,
      };
    };
    const now = await board();
    expect(scoreboardByUnit(now.units as never)).toEqual(
      scoreboardFromEvents(await storedEvents(app), new Date(now.asOf)),
    );
    const sentBackAt = (await inspector.get(`/api/tasks/${taskId}/history`)).body.find(
      (e: { type: string }) => e.type === 'RectificationTaskSentBack',
    ).occurredAt;
    const justBefore = await board(new Date(Date.parse(sentBackAt) - 1).toISOString());
    const of = (b: typeof now, unitId: string) => b.units.find((u) => u.unitId === unitId)!;
    expect(of(now, wangyan).sendBacks).toBe(of(justBefore, wangyan).sendBacks + 1);
    expect(of(now, caoji).sendBacks).toBe(of(justBefore, caoji).sendBacks);
    expect(of(now, caoji).open).toBe(of(justBefore, caoji).open + 1);
  });

  it('lets a client wait for its own write, and names a bad query parameter', async () => {
    const list = await unit.get('/api/tasks?status=in_progress&pageSize=1');
    const task = list.body.items[0];
    const reported = await unit.post(`/api/tasks/${task.id}/progress`, { note: '新的进展' });
    const seen = await unit.get(`/api/tasks/${task.id}?minRevision=${reported.body.revision}`);
    expect(seen.body.revision).toBe(reported.body.revision);
    expect(seen.body.status).toBe('in_progress');

    const bad = await leader.get('/api/views/deadlines?asOf=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('asOf');
    const badLight = await leader.get('/api/tasks?light=purple');
    expect(badLight.status).toBe(400);
    expect(badLight.body.field).toBe('light');
    const badByUnit = await leader.get('/api/views/deadlines?byUnit=maybe');
    expect([badByUnit.status, badByUnit.body.field]).toEqual([400, 'byUnit']);
  });
});
