import { countyTree, CountyTree } from '../support/county-tree';
import { HttpClient, login } from '../support/http-client';
import { byRegionLevelFromEvents, quantitiesFromEvents } from '../support/quantities-from-events';
import { scoreboardByUnit, scoreboardFromEvents } from '../support/scoreboard-from-events';
import { readModelsCaughtUp, startTestApp, storedEvents, TestApp } from '../support/test-app';

interface Region {
  id: string;
  name: string;
  level: string;
  path: string[];
}
interface RegionRow {
  regionId: string;
  regionName: string;
  regionLevel: string;
  tasks: number;
  open: number;
  overdue: number;
  closed: number;
  quantityTarget: number | null;
  quantityDone: number | null;
  dueOpen: number;
  behind: boolean;
}

const LEVELS = ['county', 'town', 'village'] as const;
/** The campaign's deadline, as a leader asks about it. */
const AT_THE_DEADLINE = '2030-09-30T23:59:59+08:00';

/**
 * 逐级分解 in the views over HTTP (issue 18): a tree placed at 阜南县 (217 households to its 住建局, 200 to 王堰镇, 10 to
 * 王家坝镇, 150 of 王堰镇's to 蔡郢村); "which county, which town, which village is behind" is one request, each level's
 * figures are the units' own parts as the events say and add up to the campaign's, now and as of a past instant;
 * the scoreboard charges a sub-task's send-back to its unit; the 台账 shows each task's level and parent.
 */
describe('decomposition in the views: by region level over HTTP', () => {
  let app: TestApp;
  const as: Record<string, HttpClient> = {};
  let regions: Region[];
  let campaignId: string;
  let ids: CountyTree['ids'];
  let post: CountyTree['post'];
  /** The village has reported part of its work; nothing is verified yet. */
  let midway: string;
  const evidence = [{ ref: 'photo.jpg' }];

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    for (const user of ['admin', 'inspector', 'leader', 'funan-leader', 'housing', 'unit', 'wangjiaba', 'caiying'])
      as[user] = await login(app.http, user);
    ({ campaignId, regions, ids, post } = await countyTree(as));
    await post('caiying', `/api/tasks/${ids.village}/accept`, {});
    await post('caiying', `/api/tasks/${ids.village}/progress`, { quantityDone: 100, note: '拆除过半', evidence });
    await post('housing', `/api/tasks/${ids.county}/progress`, { quantityDone: 5, note: '县本级', evidence });
    await readModelsCaughtUp(app);
    midway = new Date().toISOString();

    await post('caiying', `/api/tasks/${ids.village}/progress`, { quantityDone: 150, note: '拆除完成', evidence });
    await post('caiying', `/api/tasks/${ids.village}/submit`, { report: '150 户拆除完成', evidence });
    await post('unit', `/api/tasks/${ids.village}/send-back`, { reason: '照片不清' });
    await post('caiying', `/api/tasks/${ids.village}/submit`, { report: '补齐照片', evidence });
    await post('unit', `/api/tasks/${ids.village}/verify`, { note: '镇里验收合格' });
    await post('unit', `/api/tasks/${ids.town}/progress`, { quantityDone: 50, note: '镇本级', evidence });
    await post('unit', `/api/tasks/${ids.town}/submit`, { report: '王堰镇 200 户完成', evidence });
    await post('housing', `/api/tasks/${ids.town}/verify`, { note: '县里验收合格' });
    await readModelsCaughtUp(app);
  });
  afterAll(() => app?.close());

  /** Campaign progress by county, town and village, checked against the events: every level adds up. */
  const byLevelChecked = async (user: string, asOf?: string) => {
    const query = asOf ? `&asOf=${encodeURIComponent(asOf)}` : '';
    const answer = await as[user].get(
      `/api/campaigns/${campaignId}/progress?byRegionLevel=county,town,village${query}`,
    );
    expect(answer.status).toBe(200);
    const progress = answer.body;
    const truth = quantitiesFromEvents(await storedEvents(app), campaignId, asOf ? new Date(asOf) : new Date());
    expect(progress.quantities.map((q: { target: number }) => q.target)).toEqual([217]);
    for (const level of LEVELS) {
      const rows: RegionRow[] = progress.byRegionLevel[level];
      const expected = byRegionLevelFromEvents(truth.byRegion, regions, level);
      expect([
        level,
        Object.fromEntries(rows.map((r) => [r.regionId, [r.tasks, r.quantityTarget, r.quantityDone]])),
      ]).toEqual([
        level,
        Object.fromEntries([...expected].map(([id, f]) => [id, [f.tasks, f.quantityTarget, f.quantityDone]])),
      ]);
      const sum = (key: 'tasks' | 'open' | 'overdue' | 'closed' | 'quantityTarget') =>
        rows.reduce((total, row) => total + (row[key] ?? 0), 0);
      expect([level, sum('quantityTarget'), sum('tasks'), sum('open'), sum('overdue'), sum('closed')]).toEqual([
        level,
        217,
        progress.totals.tasks,
        progress.totals.open,
        progress.totals.overdue,
        progress.totals.closed,
      ]);
    }
    return progress.byRegionLevel as Record<(typeof LEVELS)[number], RegionRow[]>;
  };
  const named = (rows: RegionRow[]) =>
    Object.fromEntries(rows.map((r) => [r.regionName, [r.regionLevel, r.quantityTarget, r.quantityDone, r.behind]]));

  it('answers which county, town and village is behind at the deadline in one request, levels adding up', async () => {
    const levels = await byLevelChecked('leader', AT_THE_DEADLINE);
    // The county's own 7 (217 − 200 − 10) stays a row of its own place at the levels below it.
    expect(named(levels.county)).toEqual({ 阜南县: ['county', 217, 205, true] });
    expect(named(levels.town)).toEqual({
      王家坝镇: ['town', 10, null, true],
      阜南县: ['county', 7, 5, true],
      王堰镇: ['town', 200, 200, false],
    });
    expect(named(levels.village)).toEqual({
      王家坝镇: ['town', 10, null, true],
      阜南县: ['county', 7, 5, true],
      王堰镇: ['town', 50, 50, false],
      蔡郢村: ['village', 150, 150, false],
    });
    // Behind first: 王家坝镇's share was due on 15 September and is not signed off.
    expect(levels.town.map((r) => r.regionName).slice(-1)).toEqual(['王堰镇']);
    expect(levels.town.find((r) => r.regionName === '王家坝镇')).toMatchObject({ overdue: 1, dueOpen: 1 });
  });

  it('gives the same answer to a reader scoped to the county, and as of a past instant as the events say', async () => {
    const scoped = await byLevelChecked('funan-leader', AT_THE_DEADLINE);
    expect(named(scoped.village)).toEqual(named((await byLevelChecked('leader', AT_THE_DEADLINE)).village));
    const then = await byLevelChecked('inspector', midway);
    // Nothing verified yet, nothing due: the village's 100 counts in its own row only, and no one is behind.
    expect(named(then.village)).toEqual({
      王家坝镇: ['town', 10, null, false],
      阜南县: ['county', 7, 5, false],
      王堰镇: ['town', 50, null, false],
      蔡郢村: ['village', 150, 100, false],
    });
    expect(named(then.county)).toEqual({ 阜南县: ['county', 217, 105, false] });
  });

  it('counts the deadline view by region level, each level adding up to the list', async () => {
    for (const asOf of [undefined, midway, AT_THE_DEADLINE]) {
      const query = asOf ? `&asOf=${encodeURIComponent(asOf)}` : '';
      const view = (await as.leader.get(`/api/views/deadlines?campaignId=${campaignId}&byRegionLevel=town${query}`))
        .body;
      const rows: Array<{ regionName: string; tasks: number; summary: Record<string, number> }> =
        view.byRegionLevel.town;
      expect(rows.reduce((total, row) => total + row.tasks, 0)).toBe(view.total);
      for (const light of Object.keys(view.summary))
        expect([asOf, light, rows.reduce((total, row) => total + row.summary[light], 0)]).toEqual([
          asOf,
          light,
          view.summary[light],
        ]);
    }
    const deadline = encodeURIComponent(AT_THE_DEADLINE);
    const atDeadline = (
      await as.leader.get(`/api/views/deadlines?campaignId=${campaignId}&byRegionLevel=village&asOf=${deadline}`)
    ).body.byRegionLevel.village as Array<{ regionName: string; summary: Record<string, number> }>;
    expect(atDeadline.find((r) => r.regionName === '王家坝镇')!.summary.red).toBe(1);
    expect(atDeadline.find((r) => r.regionName === '蔡郢村')!.summary.closed_on_time).toBe(1);
  });

  it('refuses a level that is not one, naming the field', async () => {
    for (const path of [
      `/api/campaigns/${campaignId}/progress?byRegionLevel=province`,
      `/api/views/deadlines?byRegionLevel=town,province`,
    ])
      expect([path, (await as.leader.get(path)).body]).toEqual([
        path,
        expect.objectContaining({ status: 400, field: 'byRegionLevel' }),
      ]);
  });

  it('charges the send-back of the village’s sub-task to the village on the scoreboard, as events say', async () => {
    const board = (await as.inspector.get('/api/units/scoreboard')).body.units;
    const events = await storedEvents(app);
    expect(scoreboardByUnit(board)).toEqual(scoreboardFromEvents(events, new Date()));
    const without = scoreboardFromEvents(
      events.filter((e) => e.data?.taskId !== ids.village),
      new Date(),
    );
    const row = (name: string) => board.find((r: { unitName: string }) => r.unitName === name);
    const before = (name: string) => without.get(row(name).unitId)?.sendBacks ?? 0;
    expect([row('蔡郢村民委员会').sendBacks, row('王堰镇人民政府').sendBacks]).toEqual([
      before('蔡郢村民委员会') + 1,
      before('王堰镇人民政府'),
    ]);
  });

  it('exports the 台账 with each task’s level and parent', async () => {
    const answer = await as.inspector.get(`/api/tasks/export?format=csv&campaignId=${campaignId}`);
    expect(answer.status).toBe(200);
    const [header, ...lines] = (answer.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
    const column = (name: string) => header.indexOf(name);
    expect(header).toEqual(expect.arrayContaining(['序号', '任务编号', '整改任务', '层级', '上级任务', '任务ID']));
    const title = async (id: string) => (await as.inspector.get(`/api/tasks/${id}`)).body.title as string;
    const rows = Object.fromEntries(lines.map((cells) => [cells[column('任务ID')], cells]));
    expect(
      Object.fromEntries(
        Object.entries(ids).map(([name, id]) => [name, [rows[id][column('层级')], rows[id][column('上级任务')]]]),
      ),
    ).toEqual({
      county: ['0', ''],
      town: ['1', await title(ids.county)],
      neighbour: ['1', await title(ids.county)],
      village: ['2', await title(ids.town)],
    });
  });
});
