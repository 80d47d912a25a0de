import { ManualClock } from '@zhenggai/application';
import ExcelJS from 'exceljs';
import { HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

const HEADERS = [
  '序号',
  '任务编号',
  '整改任务',
  '问题类别',
  '地区',
  '专项行动',
  '层级',
  '上级任务',
  '责任单位',
  '责任人',
  '联系方式',
  '配合单位',
  '整改措施',
  '整改方案',
  '目标量',
  '完成量',
  '计量单位',
  '最新进展',
  '交办日期',
  '整改期限',
  '原定期限',
  '状态',
  '红黄绿灯',
  '退回次数',
  '办结日期',
  '任务ID',
];

/** Issue 20: the 整改台账 as an office files it — Chinese labels, Beijing days as date cells, filters, print layout. */
describe('the 整改台账 export', () => {
  // 01:00 in Beijing on 5 March is still 4 March in UTC: the ledger must say 5 March.
  const clock = new ManualClock('2027-03-05T01:00:00+08:00');
  let app: TestApp;
  let inspector: HttpClient;
  let token: string;
  let findingId: string;
  let firstTask: string;

  beforeAll(async () => {
    app = await startTestApp({ seed: true, clock });
    token = (await app.http.post('/api/auth/login', { username: 'inspector', password: 'rectify-demo' })).body
      .accessToken;
    inspector = app.http.as(token);
    const wangjiaba = await login(app.http, 'wangjiaba');
    const regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '王家坝镇').id;
    const unitId = (name: string) =>
      (async () => (await inspector.get('/api/units')).body.find((u: { name: string }) => u.name === name).id)();
    const campaign = await inspector.post('/api/campaigns', {
      name: '旱厕改造攻坚',
      deadline: '2027-06-30',
      scope: { regionId, category: 'sanitation' },
      targets: [],
    });
    expect(campaign.status).toBe(201);
    const finding = await inspector.post('/api/findings', {
      title: '庄台旱厕改造滞后',
      regionId,
      category: 'sanitation',
      severity: 'high',
    });
    expect(finding.status).toBe(201);
    findingId = finding.body.id;
    const assigned = await inspector.post(`/api/findings/${findingId}/tasks`, {
      unitId: await unitId('王家坝镇人民政府'),
      cooperatingUnitIds: [await unitId('王家坝村民委员会')],
      deadline: '2027-03-31',
      measures: '逐户排查，改造旱厕',
      target: { quantity: 40, unit: '户' },
      campaignId: campaign.body.id,
      title: '王家坝镇庄台旱厕改造',
    });
    expect(assigned.status).toBe(201);
    firstTask = assigned.body.id;
    clock.set('2027-03-06T09:00:00+08:00');
    expect((await wangjiaba.post(`/api/tasks/${firstTask}/accept`, {})).status).toBe(200);
    expect((await wangjiaba.post(`/api/tasks/${firstTask}/plan`, { plan: '一户一方案，分三批改造' })).status).toBe(200);
    // 23:30 in Beijing on 7 March: the report is of the 7th (UTC's 7th too, 15:30), then one the next morning.
    clock.set('2027-03-07T23:30:00+08:00');
    expect(
      (await wangjiaba.post(`/api/tasks/${firstTask}/progress`, { quantityDone: 12, note: '完成首批12户' })).status,
    ).toBe(200);
    // 07:30 in Beijing on 8 March is 23:30 on 7 March in UTC: the export is dated the 8th.
    clock.set('2027-03-08T07:30:00+08:00');
    await readModelsCaughtUp(app);
  });
  afterAll(() => app?.close());

  const download = async (format: 'xlsx' | 'csv') => {
    const answer = await fetch(`${app.http.baseUrl}/api/tasks/export?format=${format}&findingId=${findingId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    return answer;
  };

  const open = async () => {
    const answer = await download('xlsx');
    expect(answer.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('整改台账-2027-03-08.xlsx')}`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await answer.arrayBuffer()) as never);
    return workbook.getWorksheet('整改台账')!;
  };

  const rowOf = (sheet: ExcelJS.Worksheet, n: number) =>
    Object.fromEntries(HEADERS.map((header, i) => [header, sheet.getRow(n).getCell(i + 1).value]));

  it('has the title and as-of time in Beijing, Chinese headers, filters, a frozen header, a print layout', async () => {
    const sheet = await open();
    expect(sheet.getRow(1).getCell(1).value).toBe('整改台账');
    expect(sheet.getRow(2).getCell(1).value).toBe('截至2027年3月8日 07:30　共 1 项');
    expect(sheet.getRow(3).values).toEqual([undefined, ...HEADERS]);
    expect(sheet.autoFilter).toBe('A3:Z4');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(sheet.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      printTitlesRow: '3:3',
    });
  });

  it('fills each column with names, texts and Beijing days as date cells', async () => {
    const row = rowOf(await open(), 4);
    expect(row).toMatchObject({
      序号: 1,
      整改任务: '王家坝镇庄台旱厕改造',
      问题类别: '改厕与环境卫生',
      地区: '王家坝镇',
      专项行动: '旱厕改造攻坚',
      层级: 0,
      上级任务: null,
      责任单位: '王家坝镇人民政府',
      责任人: '镇长',
      配合单位: '王家坝村民委员会',
      整改措施: '逐户排查，改造旱厕',
      整改方案: '一户一方案，分三批改造',
      目标量: 40,
      完成量: 12,
      计量单位: '户',
      最新进展: '2027-03-07 完成首批12户',
      状态: '整改中',
      红黄绿灯: '绿灯',
      退回次数: 0,
      办结日期: null,
      任务ID: firstTask,
    });
    expect(row.任务编号).toMatch(/^阜南-2027-\d{4}$/);
    for (const [column, date] of [
      ['交办日期', '2027-03-05'],
      ['整改期限', '2027-03-31'],
      ['原定期限', '2027-03-31'],
    ] as const) {
      expect(row[column]).toBeInstanceOf(Date);
      expect((row[column] as Date).toISOString()).toBe(`${date}T00:00:00.000Z`);
    }
    const sheet = await open();
    expect(sheet.getRow(4).getCell(HEADERS.indexOf('交办日期') + 1).numFmt).toBe('yyyy-mm-dd');
  });

  it('numbers tasks by county, year and order of assignment; a number never changes as tasks arrive', async () => {
    const before = rowOf(await open(), 4).任务编号 as string;
    const next = await inspector.post(`/api/findings/${findingId}/tasks`, {
      unitId: (await inspector.get('/api/units')).body.find((u: { name: string }) => u.name === '王家坝镇人民政府').id,
      deadline: '2027-04-30',
      measures: '清运垃圾',
      title: '王家坝镇庄台垃圾清运',
    });
    expect(next.status).toBe(201);
    await readModelsCaughtUp(app);
    const sheet = await open();
    const numbers = new Map([4, 5].map((n) => [rowOf(sheet, n).任务ID, rowOf(sheet, n).任务编号 as string]));
    expect(numbers.get(firstTask)).toBe(before);
    const seq = (number: string) => Number(number.split('-')[2]);
    expect(seq(numbers.get(next.body.id)!)).toBe(seq(before) + 1);
  });

  it('writes the same columns to CSV, UTF-8 with a BOM, days as YYYY-MM-DD in Beijing', async () => {
    const answer = await download('csv');
    expect(answer.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('整改台账-2027-03-08.csv')}`,
    );
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(header).toBe(HEADERS.map((h) => `"${h}"`).join(','));
    const first = rows.find((line) => line.includes(firstTask))!;
    expect(first).toContain(',2027-03-05,2027-03-31,2027-03-31,"整改中"');
    expect(first).toContain('"改厕与环境卫生","王家坝镇","旱厕改造攻坚"');
  });
});
