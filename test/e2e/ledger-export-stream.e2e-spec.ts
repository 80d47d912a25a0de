import ExcelJS from 'exceljs';
import { HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

/** The most tasks an export carries in this app (LEDGER_MAX_ROWS): the demo story has more. */
const LIMIT = 4;

/**
 * Issue 22: the 整改台账 is streamed — its task ids read first in the list's order, then its rows a chunk at a time —
 * and still answers exactly what the task list answers to the same query; a query over the limit is refused with a
 * problem before any of the file is sent.
 */
describe('the 整改台账 export, streamed', () => {
  let app: TestApp;
  let token: string;
  let inspector: HttpClient;
  let findingId: string;

  beforeAll(async () => {
    app = await startTestApp({ seed: true, env: { LEDGER_MAX_ROWS: String(LIMIT) } });
    token = (await app.http.post('/api/auth/login', { username: 'inspector', password: 'rectify-demo' })).body
      .accessToken;
    inspector = app.http.as(token);
    const wangjiaba = await login(app.http, 'wangjiaba');
    const regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '王家坝镇').id;
    const unitId = (await inspector.get('/api/units')).body.find(
      (u: { name: string }) => u.name === '王家坝镇人民政府',
    ).id;
    const finding = { title: '庄台环境整治滞后', regionId, category: 'sanitation', severity: 'high' };
    findingId = (await inspector.post('/api/findings', finding)).body.id;
    // Three tasks whose order by urgency is not the order they were given in: one signed for, two waiting for it.
    const given: string[] = [];
    for (const [title, deadline] of [
      ['庄台垃圾清运', '2099-05-31'],
      ['庄台旱厕改造', '2099-04-30'],
      ['庄台污水沟渠清淤', '2099-06-30'],
    ] as const) {
      const task = await inspector.post(`/api/findings/${findingId}/tasks`, {
        unitId,
        deadline,
        measures: `${title}，逐户落实`,
        title,
      });
      expect(task.status).toBe(201);
      given.push(task.body.id);
    }
    expect((await wangjiaba.post(`/api/tasks/${given[2]}/accept`, {})).status).toBe(200);
    await readModelsCaughtUp(app);
  });
  afterAll(() => app?.close());

  const download = (query: string) =>
    fetch(`${app.http.baseUrl}/api/tasks/export?${query}`, { headers: { authorization: `Bearer ${token}` } });

  const listed = async (query: string) => {
    const list = (await inspector.get(`/api/tasks?${query}&pageSize=200`)).body;
    expect(list.total).toBe(3);
    return list.items as Array<{ id: string; title: string; deadline: string; status: string }>;
  };

  it('writes the tasks of the list, in its order, to XLSX: numbered, titled, with their deadlines', async () => {
    const query = `findingId=${findingId}&sort=urgency`;
    const items = await listed(query);
    // By urgency: the two waiting to be signed for (nearest deadline first), then the one signed for.
    expect(items.map((t) => t.title)).toEqual(['庄台旱厕改造', '庄台垃圾清运', '庄台污水沟渠清淤']);
    const answer = await download(`format=xlsx&${query}`);
    expect(answer.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await answer.arrayBuffer()) as never);
    const sheet = workbook.getWorksheet('整改台账')!;
    expect(sheet.getRow(2).getCell(1).value).toMatch(/　共 3 项$/);
    expect(sheet.autoFilter).toBe('A3:Z6');
    expect(sheet.rowCount).toBe(3 + items.length);
    const rows = items.map((_, i) => sheet.getRow(4 + i));
    expect(rows.map((row) => [row.getCell(1).value, row.getCell(3).value, row.getCell(26).value])).toEqual(
      items.map((task, i) => [i + 1, task.title, task.id]),
    );
    expect(rows.map((row) => (row.getCell(20).value as Date).toISOString().slice(0, 10))).toEqual(
      items.map((task) => task.deadline),
    );
  });

  it('writes the same tasks in the same order to CSV', async () => {
    const query = `findingId=${findingId}&sort=deadline`;
    const items = await listed(query);
    const answer = await download(`format=csv&${query}`);
    expect(answer.status).toBe(200);
    const [, ...lines] = (await answer.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines.map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')))).toEqual(
      items.map((task, i) => [
        String(i + 1),
        expect.anything(),
        task.title,
        ...Array(16).fill(expect.anything()),
        task.deadline,
        expect.anything(),
        task.status === 'assigned' ? '已交办' : '已签收',
        ...Array(3).fill(expect.anything()),
        task.id,
      ]),
    );
  });

  it.each(['xlsx', 'csv'])(
    'refuses a %s export over the limit with a problem, before any of the file',
    async (format) => {
      const total = (await inspector.get('/api/tasks?pageSize=1')).body.total as number;
      expect(total).toBeGreaterThan(LIMIT);
      const answer = await download(`format=${format}`);
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.headers.get('content-disposition')).toBeNull();
      expect(await answer.json()).toMatchObject({
        status: 422,
        code: 'EXPORT_TOO_LARGE',
        detail: `the filters match ${total} tasks; narrow them to at most ${LIMIT}`,
      });
    },
  );

  // An export reads in a snapshot of its own, holding a connection (one of a quarter of the pool's, five here) until
  // its file is written or refused.
  it('gives back what it holds: more exports and refusals in a row than may read at once all answer', async () => {
    const query = `findingId=${findingId}&sort=deadline`;
    for (let i = 0; i < 6; i++) {
      const whole = await download(`format=${i % 2 === 0 ? 'csv' : 'xlsx'}&${query}`);
      expect(whole.status).toBe(200);
      await whole.arrayBuffer();
      const refused = await download('format=csv');
      expect(refused.status).toBe(422);
      await refused.arrayBuffer();
    }
    // No transaction of an export is left open on the server.
    const { rows } = await app.infra.pool.query(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND state LIKE 'idle in transaction%'
          AND (query LIKE '%ledger_rows%' OR query LIKE '%task_id AS id%')`,
    );
    expect(rows).toEqual([]);
  });
});
