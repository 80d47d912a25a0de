import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mammoth from 'mammoth';
import { eventually, HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, storedEvents, TestApp } from '../support/test-app';

const AS_OF = '2018-09-30T23:59:59+08:00';
const PERIOD = { from: '2018-09-24', to: '2018-09-30' };

interface RankRow {
  name: string;
  tasks: number;
  closed: number;
  open: number;
  overdue: number;
  quantityDone: number | null;
  quantityTarget: number | null;
  behind: boolean;
}

/** What pdftotext reads of a PDF (poppler-utils), whitespace dropped so that wrapped lines still match. */
function pdfText(pdf: Buffer, dir: string): string {
  const path = join(dir, 'bulletin.pdf');
  writeFileSync(path, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

/** The first bulletin of the list that `which` picks, once the list (a read model) shows it. */
function listed(client: HttpClient, which: (b: any) => boolean): Promise<any> {
  return eventually(async () => ((await client.get('/api/bulletins')).body as any[]).find(which));
}

const percent = (closed: number, tasks: number) => `${(Math.round((closed / tasks) * 1000) / 10).toFixed(1)}%`;

/**
 * Issue 21, 情况通报: the demo's 危房改造 bulletin as of 30 September 2018, its figures held against the campaign
 * progress API, its PDF rendered and read back, its DOCX opened, and the fact recorded with the files' SHA-256.
 */
describe('情况通报 over HTTP', () => {
  let app: TestApp;
  let leader: HttpClient;
  let dir: string;
  let housing: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulletins-'));
    app = await startTestApp({ seed: true });
    leader = await login(app.http, 'leader');
    housing = (await leader.get('/api/campaigns')).body.find((c: { name: string }) => c.name === '危房改造清零').id;
    await readModelsCaughtUp(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('issues the 危房改造 bulletin as of 2018-09-30 with the figures of the campaign progress API', async () => {
    const progress = (
      await leader.get(
        `/api/campaigns/${housing}/progress?asOf=${encodeURIComponent(AS_OF)}&byRegionLevel=county,town,village`,
      )
    ).body;
    const issued = await leader.post('/api/bulletins', { scope: { campaignId: housing }, period: PERIOD, asOf: AS_OF });
    expect(issued.status).toBe(201);
    const { figures } = issued.body;
    expect(figures.totals).toEqual({
      tasks: progress.totals.tasks,
      open: progress.totals.open,
      overdue: progress.totals.overdue,
      closed: progress.totals.closed,
      closedOnTime: progress.totals.closedOnTime,
      closedLate: progress.totals.closedLate,
    });
    expect(figures.quantities).toEqual(progress.quantities);
    for (const level of ['county', 'town', 'village']) {
      const rows = figures.byRegionLevel.find((l: { level: string }) => l.level === level).rows as RankRow[];
      expect(
        rows.map((r) => [r.name, r.tasks, r.closed, r.overdue, r.quantityDone, r.quantityTarget, r.behind]).sort(),
      ).toEqual(
        progress.byRegionLevel[level]
          .map((r: RankRow & { regionName: string }) => [
            r.regionName,
            r.tasks,
            r.closed,
            r.overdue,
            r.quantityDone,
            r.quantityTarget,
            r.behind,
          ])
          .sort(),
      );
    }
    expect(
      (figures.byUnit as RankRow[])
        .filter((u) => u.behind)
        .map((u) => u.name)
        .sort(),
    ).toEqual(
      progress.byUnit
        .filter((u: { behind: boolean }) => u.behind)
        .map((u: { unitName: string }) => u.unitName)
        .sort(),
    );
    expect(issued.body.files.map((f: { format: string }) => f.format).sort()).toEqual(['docx', 'pdf']);
  });

  it('keeps the PDF as issued: A4, the Chinese text and figures read back, a first page rendered', async () => {
    const bulletin = await listed(leader, (b) => b.scope.campaignId === housing);
    const pdfFile = bulletin.files.find((f: { format: string }) => f.format === 'pdf');
    const pdf = await leader.download(pdfFile.url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const sha256 = createHash('sha256').update(pdf.bytes).digest('hex');
    expect(sha256).toBe(pdfFile.sha256);
    expect(pdf.headers.get('x-content-sha256')).toBe(sha256);

    const path = join(dir, 'issued.pdf');
    writeFileSync(path, pdf.bytes);
    expect(execFileSync('pdfinfo', [path], { encoding: 'utf8' })).toMatch(
      /Page size:\s+595(\.\d+)? x 84[12](\.\d+)? pts \(A4\)/,
    );
    execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', path, join(dir, 'page')]);
    const png = readFileSync(join(dir, 'page-1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const text = pdfText(pdf.bytes, dir);
    const progress = (await leader.get(`/api/campaigns/${housing}/progress?asOf=${encodeURIComponent(AS_OF)}`)).body;
    const t = progress.totals;
    expect(text).toContain('关于危房改造清零专项行动整改情况的通报');
    expect(text).toContain('2018年9月30日24时');
    expect(text).toContain(`共有整改任务${t.tasks}项，已销号${t.closed}项`);
    expect(text).toContain(percent(t.closed, t.tasks));
    for (const q of progress.quantities)
      expect(text).toContain(`按${q.unit}计，完成${q.done}${q.unit}，目标${q.target}${q.unit}`);
    for (const name of ['阜南县', '王堰镇', '王家坝镇', '曹集镇', '蔡郢村', '王家坝村']) expect(text).toContain(name);
    expect(text).toContain('2018年9月30日');
  });

  it('keeps the DOCX as issued, holding the same figures as the PDF', async () => {
    const bulletin = await listed(leader, (b) => b.scope.campaignId === housing);
    const files = Object.fromEntries(bulletin.files.map((f: { format: string }) => [f.format, f]));
    const docx = await leader.download(files.docx.url);
    expect(createHash('sha256').update(docx.bytes).digest('hex')).toBe(files.docx.sha256);
    const words = (await mammoth.extractRawText({ buffer: docx.bytes })).value.replace(/\s+/g, '');
    const text = pdfText((await leader.download(files.pdf.url)).bytes, dir);
    expect(words).toContain('关于危房改造清零专项行动整改情况的通报');
    for (const sentence of text.match(/共有整改任务\d+项，已销号\d+项/g) ?? ['（PDF 中没有这句）'])
      expect(words).toContain(sentence);
    const figuresOf = (s: string) => (s.match(/\d+(\.\d+)?%/g) ?? []).sort();
    expect(figuresOf(words)).toEqual(figuresOf(text));
  });

  it('records BulletinIssued with the SHA-256 of each file; a reissue is a new version, the first stays', async () => {
    const bulletin = await listed(leader, (b) => b.scope.campaignId === housing);
    const issuedEvents = (await storedEvents(app)).filter((e) => e.type === 'BulletinIssued');
    expect(issuedEvents).toHaveLength(1);
    expect(issuedEvents[0].data.files.map((f: { sha256: string }) => f.sha256).sort()).toEqual(
      bulletin.files.map((f: { sha256: string }) => f.sha256).sort(),
    );
    const first = await leader.download(bulletin.files[0].url);

    const inspector = await login(app.http, 'inspector');
    const again = await inspector.post(`/api/bulletins/${bulletin.id}/versions`, {
      asOf: '2018-10-01T08:00:00+08:00',
    });
    expect(again.status).toBe(201);
    expect(again.body.version).toBe(2);
    const detail = (await leader.get(`/api/bulletins/${bulletin.id}`)).body;
    expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(detail.versions[1].files).toEqual(bulletin.files);
    const firstAgain = await leader.download(bulletin.files[0].url);
    expect(firstAgain.bytes.equals(first.bytes)).toBe(true);
    // The next morning the three tasks due on the 30th are overdue: the new version lists them.
    const text = pdfText((await leader.download(`/api/bulletins/${bulletin.id}/versions/2/pdf`)).bytes, dir);
    expect(text).toContain('逾期未完成任务清单');
    expect(again.body.figures.overdue.total).toBe(3);
    expect(text).toContain('1天');
  });

  it('answers within reach: a unit may not issue or read; a county leader sees its county, not the city', async () => {
    const unit = await login(app.http, 'unit');
    expect((await unit.post('/api/bulletins', { period: PERIOD, asOf: AS_OF })).status).toBe(403);
    expect((await unit.get('/api/bulletins')).status).toBe(403);
    const funanLeader = await login(app.http, 'funan-leader');
    const own = await funanLeader.post('/api/bulletins', { period: PERIOD, asOf: AS_OF });
    expect(own.status).toBe(201);
    expect(own.body.figures.scopeName).toBe('阜南县');
    // The list is a read model: the bulletin appears in it once the catalogue (or the store's tail) shows it.
    const listed = await eventually(async () => {
      const ids = (await funanLeader.get('/api/bulletins')).body.map((b: { id: string }) => b.id);
      return ids.length > 0 ? ids : undefined;
    });
    expect(listed).toEqual([own.body.id]);
    const cityWide = (await leader.get('/api/bulletins')).body.find((b: { id: string }) => b.id !== own.body.id);
    expect((await funanLeader.get(`/api/bulletins/${cityWide.id}`)).status).toBe(404);
    expect((await funanLeader.download(cityWide.files[0].url)).status).toBe(404);
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    const before = (await storedEvents(app)).length;
    const cases: Array<[unknown, string]> = [
      [{ period: { from: '2018-09-30', to: '2018-09-24' }, asOf: AS_OF }, 'period.to'],
      [{ period: PERIOD, asOf: '2999-01-01T00:00:00+08:00' }, 'asOf'],
      [{ period: PERIOD, asOf: 'yesterday' }, 'asOf'],
      [{ asOf: AS_OF }, 'period'],
      [{ period: { from: '2018-09-24', to: '2018-10-05' }, asOf: AS_OF }, 'period.to'],
      [
        { period: PERIOD, asOf: AS_OF, scope: { campaignId: '6f1c1d7e-0000-4000-8000-000000000000' } },
        'scope.campaignId',
      ],
    ];
    for (const [body, field] of cases) {
      const answer = await leader.post('/api/bulletins', body);
      expect([answer.status, JSON.stringify(answer.body)]).toEqual([400, expect.stringContaining(field)]);
    }
    expect((await storedEvents(app)).length).toBe(before);
  });

  it('lets an admin set up a weekly bulletin per county, naming a bad field, and no one else', async () => {
    const admin = await login(app.http, 'admin');
    const regions = (await admin.get('/api/regions')).body as Array<{ id: string; name: string }>;
    const funan = regions.find((r) => r.name === '阜南县')!.id;
    const schedule = { regionId: funan, weekday: 1, time: '09:00' };
    expect((await leader.post('/api/settings/bulletins', schedule)).status).toBe(403);
    const added = await admin.post('/api/settings/bulletins', schedule);
    expect(added.status).toBe(201);
    const id = added.body.scheduleId as string;
    expect(added.headers.get('location')).toBe(`/api/settings/bulletins/${id}`);
    const changed = await admin.put(`/api/settings/bulletins/${id}`, { ...schedule, weekday: 5, time: '17:30' });
    expect(changed.status).toBe(200);
    expect((await admin.get('/api/settings/bulletins')).body).toEqual([
      { scheduleId: id, regionId: funan, campaignId: null, weekday: 5, time: '17:30' },
    ]);
    for (const [body, field] of [
      [{ ...schedule, weekday: 8 }, 'weekday'],
      [{ ...schedule, time: '9点' }, 'time'],
      [{ ...schedule, regionId: '6f1c1d7e-0000-4000-8000-000000000000' }, 'regionId'],
      [{ ...schedule, campaignId: '6f1c1d7e-0000-4000-8000-000000000000' }, 'campaignId'],
    ] as const) {
      const answer = await admin.post('/api/settings/bulletins', body);
      expect([answer.status, answer.body.field ?? JSON.stringify(answer.body)]).toEqual([
        400,
        expect.stringContaining(field),
      ]);
    }
    const unknown = '6f1c1d7e-0000-4000-8000-000000000001';
    expect((await admin.put(`/api/settings/bulletins/${unknown}`, schedule)).status).toBe(404);
    expect((await admin.delete(`/api/settings/bulletins/${unknown}`)).status).toBe(404);
    expect((await admin.delete(`/api/settings/bulletins/${id}`)).status).toBe(204);
    expect((await admin.get('/api/settings/bulletins')).body).toEqual([]);
    const types = (await storedEvents(app)).map((e) => e.type).filter((t) => t.startsWith('BulletinSchedule'));
    expect(types).toEqual(['BulletinScheduleSet', 'BulletinScheduleSet', 'BulletinScheduleRemoved']);
  });
});
