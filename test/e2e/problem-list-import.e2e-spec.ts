import { ManualClock } from '@zhenggai/application';
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, HttpAnswer, HttpClient, login } from '../support/http-client';
import { holdImportCommits } from '../support/import-commit-hold';
import { startTestApp, storedEvents, TestApp } from '../support/test-app';

/** The template's headings: required ones starred. */
const TEMPLATE_HEADERS = [
  '序号',
  '地点（行政区划）*',
  '问题类别*',
  '问题标题',
  '问题描述*',
  '严重程度*',
  '责任单位*',
  '配合单位',
  '整改期限*',
  '整改目标数量',
  '计量单位',
  '整改措施*',
  '问题来源',
];
const HEADERS = [
  '序号',
  '地点',
  '问题类别',
  '问题描述',
  '严重程度',
  '责任单位',
  '配合单位',
  '整改期限',
  '整改目标数量',
  '计量单位',
  '整改措施',
];
type Cell = string | number | Date | null;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const day = (date: string) => new Date(`${date}T00:00:00Z`);

/** A row of 蔡郢村's dangerous housing for 王堰镇 to put right by `deadline`. */
const wangyanRow = (number: number, description: string, deadline: string): Cell[] => [
  String(number),
  '王堰镇/蔡郢村',
  '危房改造',
  description,
  '一般',
  '王堰镇人民政府',
  '',
  day(deadline),
  '',
  '',
  '拆除',
];

/** A workbook as an office would make it: a title line above the header, then the rows. */
async function workbook(rows: Cell[][], headers: string[] = HEADERS): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('2018年第三督查组问题清单');
  sheet.addRow(['阜阳市脱贫攻坚督查问题清单（第三组）']);
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A CSV as Excel saves 「CSV UTF-8」: a byte-order mark, CRLF line ends, fields with commas or breaks in quotes. */
function csv(rows: Cell[][], headers: string[] = HEADERS): Buffer {
  const field = (cell: Cell) => {
    const text = cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell ?? '');
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const text = [headers, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/**
 * Issue 21, 问题清单导入: an inspection team's spreadsheet previewed as findings and tasks, each row matched against
 * the directory within the inspector's reach and its problems named in Chinese, with nothing filed.
 */
describe('问题清单 import: template and preview', () => {
  // 20 July 2018 in Beijing: the dangerous-housing deadline (30 September) lies ahead, 1 July behind.
  const clock = new ManualClock('2018-07-20T09:00:00+08:00');
  let app: TestApp;
  let inspector: HttpClient;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp({ seed: true, clock });
    tokens = {};
    for (const username of ['inspector', 'funan-inspector', 'unit']) {
      tokens[username] = (
        await app.http.post('/api/auth/login', { username, password: 'rectify-demo' })
      ).body.accessToken;
    }
    inspector = app.http.as(tokens.inspector!);
  });
  afterAll(() => app?.close());

  const upload = async (
    bytes: Buffer,
    contentType = XLSX,
    as = 'inspector',
    fileName = '第三督查组问题清单.xlsx',
  ): Promise<HttpAnswer> => {
    const answer = await fetch(`${app.http.baseUrl}/api/imports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens[as]}`,
        'content-type': contentType,
        'x-file-name': encodeURIComponent(fileName),
      },
      body: bytes,
    });
    const text = await answer.text();
    return { status: answer.status, headers: answer.headers, body: text ? JSON.parse(text) : null };
  };

  /** Commits an import: 202 with the commit running (or as it stands), then the import once its commit is done. */
  const commit = async (importId: string, as = inspector): Promise<HttpAnswer> => {
    const asked = await as.post(`/api/imports/${importId}/commit`, {});
    expect(asked.status).toBe(202);
    expect(['running', 'done']).toContain(asked.body.commit.status);
    return eventually(async () => {
      const answer = await as.get(`/api/imports/${importId}`);
      return answer.body.commit?.status === 'done' ? answer : undefined;
    }, 120_000);
  };

  const problemsOf = (answer: HttpAnswer, rowNumber: number) =>
    answer.body.rows.find((row: { rowNumber: number }) => row.rowNumber === rowNumber).problems;

  // 蔡郢村's dangerous housing as the seed tells it, named by place path, category name and unit names.
  const housingRow: Cell[] = [
    '1',
    '阜南县/王堰镇/蔡郢村',
    '危房改造',
    '大史郢庄、万庄危旧房散乱无序，存在安全隐患。',
    '严重',
    '王堰镇人民政府',
    '蔡郢村民委员会',
    day('2018-09-30'),
    217,
    '户',
    '拆除破旧房屋，一户一方案，拆后复垦或绿化',
  ];
  // 王家坝村 by its 行政区划代码, the category by its code, the deadline written as offices write it.
  const toiletsRow: Cell[] = [
    '2',
    '341225104201',
    'sanitation',
    '庄台旱厕未改造',
    '较重',
    '王家坝镇人民政府',
    '',
    '2018/12/31',
    '',
    '',
    '逐户排查，改造旱厕',
  ];

  it('hands inspectors a template with the headings it reads and the seed example, which is not imported', async () => {
    const answer = await fetch(`${app.http.baseUrl}/api/imports/template`, {
      headers: { authorization: `Bearer ${tokens.inspector}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(XLSX);
    expect(answer.headers.get('content-disposition')).toContain(encodeURIComponent('问题清单模板.xlsx'));
    const bytes = Buffer.from(await answer.arrayBuffer());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as never);
    const sheet = book.getWorksheet('问题清单')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(TEMPLATE_HEADERS);
    const example = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(example.slice(0, 3)).toEqual(['示例', '阜南县/王堰镇/蔡郢村', '危房改造']);
    expect(example.slice(8, 11)).toEqual([day('2018-09-30'), 217, '户']);
    expect(book.getWorksheet('填写说明')!.getRow(3).getCell(1).value).toBe('地点（行政区划）');

    // Filled in under the example, the template previews as it is.
    sheet.getRow(3).values = [
      '1',
      '王堰镇/蔡郢村',
      '危房改造',
      '',
      '危旧房未拆除',
      '严重',
      '王堰镇人民政府',
      '',
      day('2018-09-30'),
      217,
      '户',
      '拆除危房',
    ];
    const preview = await upload(Buffer.from(await book.xlsx.writeBuffer()));
    expect(preview.status).toBe(201);
    expect(preview.body.rows.map((row: { rowNumber: number }) => row.rowNumber)).toEqual([3]);
    expect(preview.body.rows[0].problems).toEqual([]);

    const asUnit = await fetch(`${app.http.baseUrl}/api/imports/template`, {
      headers: { authorization: `Bearer ${tokens.unit}` },
    });
    expect(asUnit.status).toBe(403);
  });

  it('reads each row into a finding and its task, matching place, category and units by name or code', async () => {
    const before = (await storedEvents(app)).length;
    const answer = await upload(await workbook([housingRow, toiletsRow]));
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe(`/api/imports/${answer.body.id}`);
    expect(answer.body).toMatchObject({
      fileName: '第三督查组问题清单.xlsx',
      format: 'xlsx',
      importedBy: { username: 'inspector' },
      importedAt: '2018-07-20T01:00:00.000Z',
      counts: { rows: 2, valid: 2, invalid: 0 },
    });
    expect(answer.body.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    const [housing, toilets] = answer.body.rows;
    expect(housing).toMatchObject({
      rowNumber: 3,
      number: '1',
      finding: {
        title: '大史郢庄、万庄危旧房散乱无序，存在安全隐患',
        region: { name: '蔡郢村', code: '341225113201' },
        category: { code: 'dangerous-housing', name: '危房改造' },
        severity: 'high',
        source: '问题清单《第三督查组问题清单.xlsx》第3行',
      },
      tasks: [
        {
          leadUnit: { name: '王堰镇人民政府' },
          cooperatingUnits: [{ name: '蔡郢村民委员会' }],
          deadline: '2018-09-30',
          measures: '拆除破旧房屋，一户一方案，拆后复垦或绿化',
          target: { quantity: 217, unit: '户' },
        },
      ],
      problems: [],
    });
    const regions = (await inspector.get('/api/regions')).body as Array<{ id: string; name: string }>;
    expect(housing.finding.region.id).toBe(regions.find((r) => r.name === '蔡郢村')!.id);
    expect(toilets).toMatchObject({
      rowNumber: 4,
      finding: { region: { name: '王家坝村' }, category: { code: 'sanitation' }, severity: 'medium' },
      tasks: [{ leadUnit: { name: '王家坝镇人民政府' }, cooperatingUnits: [], deadline: '2018-12-31', target: null }],
      problems: [],
    });
    // Nothing is filed: the store holds what it held; the preview is kept for its inspector only.
    expect((await storedEvents(app)).length).toBe(before);
    const kept = await inspector.get(`/api/imports/${answer.body.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.rows).toEqual(answer.body.rows);
    const other = await app.http.as(tokens['funan-inspector']!).get(`/api/imports/${answer.body.id}`);
    expect(other.status).toBe(404);
  });

  it('names every problem of a row in Chinese, by its column', async () => {
    const answer = await upload(
      await workbook([
        housingRow,
        ['2', '不存在村', '不存在的类别', '', '很严重', '王堰镇人民政府', '', '下月底', '', '', ''],
        [
          '3',
          '蔡郢村',
          '危房改造',
          '危房',
          '一般',
          '不存在的单位',
          '不存在的配合单位',
          day('2018-07-01'),
          -3,
          '户',
          '拆除',
        ],
        [
          '4',
          '蔡郢村',
          '危房改造',
          '危房',
          '一般',
          '王堰镇人民政府',
          '王堰镇人民政府',
          day('2018-09-30'),
          10,
          '',
          '拆除',
        ],
        ['5', '蔡郢村', '危房改造', '危房', '一般', '王堰镇人民政府', '', day('2018-09-30'), '', '户', '拆除'],
        housingRow,
      ]),
    );
    expect(answer.status).toBe(201);
    expect(answer.body.counts).toEqual({ rows: 6, valid: 1, invalid: 5 });
    expect(problemsOf(answer, 3)).toEqual([]);
    expect(problemsOf(answer, 4)).toEqual([
      { column: '问题描述', message: '未填写问题描述' },
      { column: '地点', message: '未知的地点「不存在村」：不存在，或不在您的管辖范围内' },
      { column: '问题类别', message: '未知的问题类别「不存在的类别」' },
      { column: '严重程度', message: '严重程度「很严重」应为 一般、较重 或 严重' },
      { column: '整改期限', message: '整改期限「下月底」不是日期，请写成 2018-09-30' },
      { column: '整改措施', message: '未填写整改措施' },
    ]);
    expect(problemsOf(answer, 5)).toEqual([
      { column: '责任单位', message: '未知的责任单位「不存在的单位」：不存在，或不能承办该地点的整改任务' },
      { column: '配合单位', message: '未知的配合单位「不存在的配合单位」：不存在，或不能承办该地点的整改任务' },
      { column: '整改期限', message: '整改期限2018年7月1日早于今天（2018年7月20日）' },
      { column: '整改目标数量', message: '整改目标数量「-3」应为大于 0 的数' },
    ]);
    expect(problemsOf(answer, 6)).toEqual([
      { column: '配合单位', message: '配合单位「王堰镇人民政府」与责任单位相同' },
      { column: '计量单位', message: '填写了整改目标数量，但未填写计量单位' },
    ]);
    expect(problemsOf(answer, 7)).toEqual([
      { column: '整改目标数量', message: '填写了计量单位，但未填写整改目标数量' },
    ]);
    expect(problemsOf(answer, 8)).toEqual([{ column: null, message: '与第3行内容相同' }]);
  });

  it("matches only within the inspector's reach: a county inspector does not reach another county", async () => {
    const rows: Cell[][] = [
      [
        '1',
        '阜南县/王堰镇/蔡郢村',
        '危房改造',
        '危房未拆',
        '严重',
        '姜寨镇人民政府',
        '',
        day('2018-09-30'),
        '',
        '',
        '拆除',
      ],
      ['2', '临泉县/姜寨镇', '危房改造', '危房未拆', '严重', '姜寨镇人民政府', '', day('2018-09-30'), '', '', '拆除'],
    ];
    const county = await upload(await workbook(rows), XLSX, 'funan-inspector');
    expect(county.status).toBe(201);
    expect(problemsOf(county, 3)).toEqual([
      { column: '责任单位', message: '未知的责任单位「姜寨镇人民政府」：不存在，或不能承办该地点的整改任务' },
    ]);
    expect(problemsOf(county, 4)).toEqual([
      { column: '地点', message: '未知的地点「临泉县/姜寨镇」：不存在，或不在您的管辖范围内' },
    ]);
    // The city's inspector reaches both.
    const city = await upload(await workbook(rows));
    expect(city.body.counts).toEqual({ rows: 2, valid: 2, invalid: 0 });
  });

  it('asks for the parents of a place whose name is not unique, and takes them', async () => {
    const admin = await login(app.http, 'admin');
    const regions = (await admin.get('/api/regions')).body as Array<{ id: string; name: string }>;
    const created = await admin.post('/api/regions', {
      code: '341225104299',
      name: '蔡郢村',
      level: 'village',
      parentId: regions.find((r) => r.name === '王家坝镇')!.id,
    });
    expect(created.status).toBe(201);
    const row = (place: string): Cell[] => [
      '1',
      place,
      '危房改造',
      '危房未拆',
      '严重',
      '王堰镇人民政府',
      '',
      day('2018-09-30'),
      '',
      '',
      '拆除',
    ];
    const answer = await upload(await workbook([row('蔡郢村'), row('王堰镇/蔡郢村'), row('王家坝镇 蔡郢村')]));
    expect(problemsOf(answer, 3)).toEqual([
      { column: '地点', message: '地点「蔡郢村」有多处同名，请写明上级（如 王堰镇/蔡郢村）或填写行政区划代码' },
    ]);
    expect(problemsOf(answer, 4)).toEqual([]);
    expect(answer.body.rows[2].finding.region).toMatchObject({ code: '341225104299' });
  });

  it('reads a workbook LibreOffice Calc saved (dates as serial numbers, its own styles and strings)', async () => {
    // test/fixtures/problem-list-libreoffice.xlsx: the template's headings and three of 蔡郢村's problems, typed as
    // the CSV beside it and saved as .xlsx by LibreOffice 7.4 (soffice --convert-to xlsx), not by our own library.
    const bytes = readFileSync(join(__dirname, '..', 'fixtures', 'problem-list-libreoffice.xlsx'));
    const answer = await upload(bytes, XLSX, 'inspector', '第三督查组问题清单.xlsx');
    expect(answer.status).toBe(201);
    expect(answer.body.rows.map((row: { problems: unknown[] }) => row.problems)).toEqual([[], [], []]);
    expect(answer.body).toMatchObject({ format: 'xlsx', counts: { rows: 3, valid: 3, invalid: 0 } });
    expect(answer.body.rows[0]).toMatchObject({
      finding: { title: '大史郢庄、万庄危旧房', region: { name: '蔡郢村' }, category: { code: 'dangerous-housing' } },
      tasks: [{ deadline: '2018-09-30', target: { quantity: 217, unit: '户' } }],
    });
    expect(answer.body.rows[1]).toMatchObject({
      finding: { category: { code: 'ponds-ditches' } },
      tasks: [{ deadline: '2018-08-31', target: { quantity: 20.32, unit: 'km' } }],
    });
    expect(answer.body.rows[2]).toMatchObject({
      finding: { description: '庄台旱厕未改造，"卫生差"，涉及多户。', category: { code: 'sanitation' } },
      tasks: [{ deadline: '2018-09-15', target: null }],
    });
  });

  it('answers how a commit stands without its rows, to the importing inspector only', async () => {
    const bytes = readFileSync(join(__dirname, '..', 'fixtures', 'problem-list-libreoffice.xlsx'));
    const { id } = (await upload(bytes)).body;
    expect((await inspector.get(`/api/imports/${id}/status`)).body).toEqual({
      id,
      importedByUserId: expect.any(String),
      rows: 3,
      commit: null,
    });
    const other = app.http.as(tokens['funan-inspector']!);
    expect((await other.get(`/api/imports/${id}/status`)).status).toBe(404);
    await commit(id);
    const { body } = await inspector.get(`/api/imports/${id}/status`);
    expect(body.commit).toMatchObject({ status: 'done', processed: 3, total: 3, failed: 0 });
    expect(body.commit.filed + body.commit.skipped).toBe(3);
    expect(JSON.stringify(body)).not.toContain('蔡郢村');
  });

  it('reads a CSV as Excel saves it (UTF-8 with a byte-order mark) and as older Excel does (GB 18030)', async () => {
    const quoted: Cell[] = [...toiletsRow];
    quoted[3] = '庄台旱厕未改造，"卫生差"\n涉及多户';
    const utf8 = await upload(csv([housingRow, quoted]), 'text/csv', 'inspector', '问题清单.csv');
    expect(utf8.status).toBe(201);
    expect(utf8.body).toMatchObject({ format: 'csv', counts: { rows: 2, valid: 2, invalid: 0 } });
    expect(utf8.body.rows[0]).toMatchObject({
      rowNumber: 2,
      finding: { region: { name: '蔡郢村' }, category: { code: 'dangerous-housing' } },
      tasks: [{ deadline: '2018-09-30', target: { quantity: 217, unit: '户' } }],
    });
    expect(utf8.body.rows[1]).toMatchObject({
      rowNumber: 3,
      finding: { title: '庄台旱厕未改造，"卫生差"', description: '庄台旱厕未改造，"卫生差"\n涉及多户' },
    });

    // The housing row saved in GB 18030 (made with iconv), as a Chinese Windows's Excel saves 「CSV（逗号分隔）」.
    const gb = readFileSync(join(__dirname, '..', 'fixtures', 'problem-list-gb18030.csv'));
    const older = await upload(gb, 'application/vnd.ms-excel', 'inspector', '问题清单.csv');
    expect(older.status).toBe(201);
    expect(older.body.rows[0]).toMatchObject({ finding: { region: { name: '蔡郢村' } }, problems: [] });
  });

  it('files the valid rows as the ordinary commands, once however often committed or the file uploaded', async () => {
    const bytes = await workbook([
      housingRow,
      toiletsRow,
      ['3', '蔡郢村', '危房改造', '危房', '一般', '不存在的单位', '', day('2018-09-30'), '', '', '拆除'],
    ]);
    const preview = await upload(bytes);
    const importId = preview.body.id as string;
    const filedTypes = ['FindingFiled', 'RectificationTaskAssigned', 'FindingTaskLinked'];
    const filedEvents = async () => (await storedEvents(app)).filter((e) => filedTypes.includes(e.type));
    const before = (await filedEvents()).length;

    clock.set('2018-07-20T10:00:00+08:00');
    const committed = await commit(importId);
    expect(committed.status).toBe(200);
    expect(committed.body.commit).toMatchObject({
      status: 'done',
      startedAt: '2018-07-20T02:00:00.000Z',
      at: '2018-07-20T02:00:00.000Z',
      processed: 3,
      total: 3,
    });
    const [housing, toilets, bad] = committed.body.commit.rows;
    expect(housing).toMatchObject({ rowNumber: 3, status: 'filed', taskIds: [expect.any(String)] });
    expect(toilets).toMatchObject({ rowNumber: 4, status: 'filed', taskIds: [expect.any(String)] });
    expect(bad).toEqual({ rowNumber: 5, status: 'skipped' });

    // Ordinary findings and tasks, by the importing inspector, correlated by the import.
    const finding = await inspector.get(`/api/findings/${housing.findingId}`);
    expect(finding.body).toMatchObject({
      title: '大史郢庄、万庄危旧房散乱无序，存在安全隐患',
      category: 'dangerous-housing',
      severity: 'high',
      source: '问题清单《第三督查组问题清单.xlsx》第3行',
    });
    const task = await inspector.get(`/api/tasks/${housing.taskIds[0]}`);
    expect(task.body).toMatchObject({
      status: 'assigned',
      deadline: '2018-09-30',
      target: { quantity: 217, unit: '户' },
      measures: '拆除破旧房屋，一户一方案，拆后复垦或绿化',
    });
    const filed = (await filedEvents()).slice(before);
    expect(filed.map((e) => e.type).sort()).toEqual([
      'FindingFiled',
      'FindingFiled',
      'FindingTaskLinked',
      'FindingTaskLinked',
      'RectificationTaskAssigned',
      'RectificationTaskAssigned',
    ]);
    for (const event of filed) {
      expect(event.metadata).toMatchObject({ correlationId: importId, actor: { username: 'inspector' } });
    }

    // Committed again, and the same file uploaded and committed again: the same findings, nothing stored twice.
    const again = await commit(importId);
    expect(again.body.commit.rows).toEqual(committed.body.commit.rows);
    const reuploaded = await upload(bytes);
    expect(reuploaded.body.id).not.toBe(importId);
    const recommitted = await commit(reuploaded.body.id);
    expect(recommitted.body.commit.rows).toEqual(committed.body.commit.rows);
    expect((await filedEvents()).length).toBe(before + 6);
    expect((await inspector.get(`/api/imports/${importId}`)).body.commit.rows).toEqual(committed.body.commit.rows);

    // The list fixed (the unknown unit corrected), its rows reordered and renumbered, and uploaded under another name:
    // the rows filed before are found as filed, only the fixed one is filed now.
    const fixed = await upload(
      await workbook([
        ['1', '王堰镇/蔡郢村', '危房改造', '危房', '一般', '王堰镇人民政府', '', day('2018-09-30'), '', '', '拆除'],
        ['2', ...toiletsRow.slice(1)],
        ['3', ...housingRow.slice(1)],
      ]),
      XLSX,
      'inspector',
      '第三督查组问题清单（修改后）.xlsx',
    );
    const fixedCommit = await commit(fixed.body.id);
    const [nowFiled, toiletsAgain, housingAgain] = fixedCommit.body.commit.rows;
    expect(nowFiled).toMatchObject({ rowNumber: 3, status: 'filed' });
    expect([toiletsAgain.findingId, housingAgain.findingId]).toEqual([toilets.findingId, housing.findingId]);
    expect([toiletsAgain.taskIds, housingAgain.taskIds]).toEqual([toilets.taskIds, housing.taskIds]);
    expect((await filedEvents()).length).toBe(before + 9);

    // Another inspector does not see the import, let alone commit it.
    const county = app.http.as(tokens['funan-inspector']!);
    expect((await county.post(`/api/imports/${importId}/commit`, {})).status).toBe(404);
  });

  it('commits in the background: the import shows its progress, asked again while running starts nothing', async () => {
    const rows = Array.from({ length: 4 }, (_, i) => wangyanRow(i + 1, `后台提交的第${i + 1}个问题`, '2018-12-31'));
    const preview = await upload(await workbook(rows));
    const importId = preview.body.id as string;
    // The runner stops once two rows are recorded: the others are filed, their outcomes not yet recorded.
    const hold = await holdImportCommits(app.infra.databaseUrl, 2);
    try {
      const asked = await inspector.post(`/api/imports/${importId}/commit`, {});
      expect(asked.status).toBe(202);
      expect(asked.body.commit).toMatchObject({ status: 'running', total: 4, startedAt: '2018-07-20T02:00:00.000Z' });
      await hold.reached();
      const halfway = await inspector.get(`/api/imports/${importId}`);
      expect(halfway.body.commit).toMatchObject({ status: 'running', processed: 2, total: 4 });
      expect(halfway.body.commit.rows.length).toBe(2);

      clock.set('2018-07-20T10:05:00+08:00');
      const again = await inspector.post(`/api/imports/${importId}/commit`, {});
      expect(again.status).toBe(202);
      expect(again.body.commit).toMatchObject({
        status: 'running',
        processed: 2,
        startedAt: asked.body.commit.startedAt,
      });
    } finally {
      await hold.release();
    }
    const done = await eventually(async () => {
      const answer = await inspector.get(`/api/imports/${importId}`);
      return answer.body.commit.status === 'done' ? answer : undefined;
    }, 120_000);
    expect(done.body.commit).toMatchObject({ status: 'done', processed: 4, total: 4, at: '2018-07-20T02:05:00.000Z' });
    expect(done.body.commit.rows.map((row: { status: string }) => row.status)).toEqual([
      'filed',
      'filed',
      'filed',
      'filed',
    ]);
    const filed = (await storedEvents(app)).filter(
      (event) => event.type === 'FindingFiled' && event.metadata.correlationId === importId,
    );
    expect(filed.length).toBe(4);
    clock.set('2018-07-20T10:00:00+08:00');
  });

  it('reports a row the commands refuse at commit (a deadline passed since the preview), files the rest', async () => {
    const dueSoon = wangyanRow(1, '危房即将到期', '2018-07-25');
    const later = wangyanRow(2, '危房年底完成', '2018-12-31');
    const preview = await upload(await workbook([dueSoon, later]));
    expect(preview.body.counts).toEqual({ rows: 2, valid: 2, invalid: 0 });
    clock.set('2018-07-26T09:00:00+08:00');
    try {
      const committed = await commit(preview.body.id);
      expect(committed.body.commit.rows).toEqual([
        { rowNumber: 3, status: 'failed', code: 'DEADLINE_IN_PAST', detail: expect.stringContaining('2018-07-25') },
        { rowNumber: 4, status: 'filed', findingId: expect.any(String), taskIds: [expect.any(String)] },
      ]);
    } finally {
      clock.set('2018-07-20T10:00:00+08:00');
    }
  });

  it('refuses a file that is not a 问题清单, saying what is wrong', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    expect((await upload(png, 'application/octet-stream')).body).toMatchObject({
      status: 400,
      code: 'IMPORT_NOT_A_SPREADSHEET',
    });
    const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(64)]);
    const old = await upload(xls, 'application/vnd.ms-excel');
    expect(old.body).toMatchObject({ status: 400, code: 'IMPORT_NOT_A_SPREADSHEET' });
    expect(old.body.detail).toContain('.xls');
    const json = await upload(Buffer.from('{}'), 'application/json');
    expect(json.body).toMatchObject({ status: 415, code: 'IMPORT_NOT_A_SPREADSHEET' });

    const missing = await upload(csv([['1', '蔡郢村', '危房']], ['序号', '地点', '问题描述']), 'text/csv');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'IMPORT_MISSING_COLUMNS' });
    expect(missing.body.missingColumns).toEqual(['问题类别', '严重程度', '责任单位', '整改期限', '整改措施']);
    expect(missing.body.detail).toContain('问题类别、严重程度、责任单位、整改期限、整改措施');

    expect((await upload(csv([]), 'text/csv')).body).toMatchObject({ status: 400, code: 'IMPORT_NO_ROWS' });
    const many = Array.from({ length: 2001 }, (_, i): Cell[] => [String(i + 1), ...housingRow.slice(1)]);
    const tooMany = await upload(csv(many), 'text/csv');
    expect(tooMany.body).toMatchObject({ status: 400, code: 'IMPORT_TOO_MANY_ROWS', maxRows: 2000, rows: 2001 });
    expect((await upload(Buffer.alloc(0), 'text/csv')).body).toMatchObject({ code: 'EMPTY_FILE' });
    expect((await upload(await workbook([housingRow]), XLSX, 'unit')).status).toBe(403);
  });
});
