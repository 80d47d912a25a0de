import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

/** Issue 7's API: evidence files with their SHA-256, 举一反三, and the 整改台账 export. */
describe('evidence, similar findings and the ledger over HTTP', () => {
  let app: TestApp;
  let inspector: HttpClient;
  let unit: HttpClient;
  let token: string;
  let inspectorToken: string;
  const evidenceDir = mkdtempSync(join(tmpdir(), 'zhenggai-evidence-'));

  beforeAll(async () => {
    app = await startTestApp({ seed: true, env: { EVIDENCE_DIR: evidenceDir } });
    inspector = await login(app.http, 'inspector');
    unit = await login(app.http, 'unit');
    token = (await app.http.post('/api/auth/login', { username: 'unit', password: 'rectify-demo' })).body.accessToken;
    inspectorToken = (await app.http.post('/api/auth/login', { username: 'inspector', password: 'rectify-demo' })).body
      .accessToken;
    await readModelsCaughtUp(app);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(evidenceDir, { recursive: true, force: true });
  });

  const upload = (bytes: Buffer, headers: Record<string, string>) =>
    fetch(`${app.http.baseUrl}/api/evidence`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      body: bytes,
    });

  it('keeps an uploaded photo with its SHA-256 and capture time, and gives it back byte for byte', async () => {
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300 * 1024, 7)]);
    const answer = await upload(photo, {
      'content-type': 'image/jpeg',
      'x-file-name': encodeURIComponent('万庄拆除后.jpg'),
      'x-captured-at': '2018-07-05T10:00:00+08:00',
    });
    expect(answer.status).toBe(201);
    const record = (await answer.json()) as { id: string; ref: string; sha256: string; fileName: string };
    expect(record).toMatchObject({
      sha256: createHash('sha256').update(photo).digest('hex'),
      capturedAt: '2018-07-05T02:00:00.000Z',
      contentType: 'image/jpeg',
      size: photo.length,
      fileName: '万庄拆除后.jpg',
      ref: `evidence:${record.id}`,
    });

    const back = await fetch(`${app.http.baseUrl}/api/evidence/${record.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(back.status).toBe(200);
    expect(back.headers.get('x-content-sha256')).toBe(record.sha256);
    expect(Buffer.from(await back.arrayBuffer()).equals(photo)).toBe(true);

    // Cited from a progress report, as the web app does.
    const task = (await unit.get('/api/tasks?status=accepted,in_progress&pageSize=1')).body.items[0];
    const progress = await unit.post(`/api/tasks/${task.id}/progress`, {
      note: '现场照片',
      evidence: [{ ref: record.ref, name: record.fileName, sha256: record.sha256 }],
    });
    expect(progress.status).toBe(200);
  });

  it('refuses uploads of other kinds, empty ones, and strangers', async () => {
    expect((await upload(Buffer.from('<svg/>'), { 'content-type': 'image/svg+xml' })).status).toBe(415);
    expect((await upload(Buffer.alloc(0), { 'content-type': 'image/png' })).status).toBe(400);
    const anonymous = await fetch(`${app.http.baseUrl}/api/evidence`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([1]),
    });
    expect(anonymous.status).toBe(401);
    expect((await unit.get('/api/evidence/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('finds the same kind of problem nearby (举一反三)', async () => {
    const regions = (await inspector.get('/api/regions')).body as Array<{ id: string; name: string }>;
    const wangjiaba = regions.find((r) => r.name === '王家坝镇')!.id;
    const similar = await inspector.get(`/api/findings/similar?category=sanitation&regionId=${wangjiaba}`);
    expect(similar.status).toBe(200);
    expect(
      similar.body.map((f: { title: string; status: string; regionName: string }) => [f.title, f.regionName]),
    ).toEqual([['旱厕未改造，影响人居环境', '蔡郢村']]);
    expect(similar.body[0].status).toBe('resolved');
    expect((await unit.get(`/api/findings/similar?category=sanitation&regionId=${wangjiaba}`)).status).toBe(403);
  });

  it('exports the filtered task list as the 整改台账 in XLSX and CSV', async () => {
    const list = (await inspector.get('/api/tasks?overdue=true&pageSize=200')).body;
    const csv = await fetch(`${app.http.baseUrl}/api/tasks/export?format=csv&overdue=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('"整改任务"');
    // The unit's own overdue tasks only: the export answers what the list answers to the same caller.
    const mine = (await unit.get('/api/tasks?overdue=true&pageSize=200')).body;
    expect(lines).toHaveLength(mine.total + 1);

    const xlsx = await fetch(`${app.http.baseUrl}/api/tasks/export?format=xlsx&overdue=true`, {
      headers: { authorization: `Bearer ${inspectorToken}` },
    });
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const sheet = workbook.getWorksheet('整改台账')!;
    expect(sheet.getRow(3).getCell(3).value).toBe('整改任务');
    expect(sheet.rowCount).toBe(list.total + 3);
    expect((await inspector.get('/api/tasks/export?format=pdf')).status).toBe(400);
  });
});
