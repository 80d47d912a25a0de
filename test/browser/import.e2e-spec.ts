import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { browserSession, bytesOf, Journey, PHONE, saveWithFeedback } from '../support/browser';
import { eventually, login } from '../support/http-client';

/**
 * 导入问题清单 in real Chromium (issue 21): the inspector downloads the template, fills in 蔡郢村's problems as the
 * seed article tells them (拆除破旧房屋217户696间, 拆除旱厕407个, 清淤沟塘20.32公里), one with a unit that does not
 * exist; the preview marks that cell; the fixed sheet uploaded again previews clean; the import files the rows as
 * findings and tasks, which the result links to and the task list shows.
 */
type Cell = string | number | Date;

// The app runs on the machine's clock: the deadline is the end of next September, ahead whatever the day.
const DEADLINE = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 8, 30));
const DEADLINE_SHOWN = `${DEADLINE.getUTCFullYear()}年9月30日`;
const WRONG_UNIT = '王堰镇环卫所';

/** 蔡郢村's problems in the template's columns, the toilets' row with `leadUnit` as its 责任单位. */
const caiyingRows = (leadUnit: string): Cell[][] => [
  [
    '1',
    '阜南县/王堰镇/蔡郢村',
    '危房改造',
    '大史郢庄、万庄危旧房未拆除',
    '大史郢庄、万庄危旧房散乱无序，存在安全隐患。',
    '严重',
    '王堰镇人民政府',
    '蔡郢村民委员会',
    DEADLINE,
    217,
    '户',
    '拆除破旧房屋，一户一方案，拆后复垦或绿化',
    '市委督查组5月16日督查',
  ],
  [
    '2',
    '王堰镇/蔡郢村',
    '破旧房屋拆除',
    '破旧房屋未拆除',
    '村内破旧房屋696间未拆除，垃圾柴垛随处堆放。',
    '较重',
    '王堰镇人民政府',
    '',
    DEADLINE,
    696,
    '间',
    '逐间拆除破旧房屋，清运垃圾柴垛',
    '',
  ],
  [
    '3',
    '王堰镇/蔡郢村',
    '改厕与环境卫生',
    '旱厕未拆除',
    '村内旱厕407个未拆除，影响人居环境。',
    '较重',
    leadUnit,
    '',
    DEADLINE,
    407,
    '个',
    '拆除旱厕，建设公厕和雨污管道',
    '',
  ],
  [
    '4',
    '341225113201',
    '沟塘清淤',
    '沟塘淤塞',
    '沟塘淤塞20.32公里，水体脏污。',
    '一般',
    '蔡郢村民委员会',
    '',
    DEADLINE,
    20.32,
    '公里',
    '清淤沟塘，整治水渠',
    '',
  ],
];

/** The template the page hands out, filled in under its example row. */
async function filledTemplate(template: Buffer, rows: Cell[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(template as never);
  const sheet = book.getWorksheet('问题清单')!;
  rows.forEach((row, i) => (sheet.getRow(3 + i).values = row));
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The empty 问题清单, downloaded: on its way its button says so, and cut off from the server, the page says so. */
async function downloadTemplate(page: Page): Promise<Buffer> {
  const download = await saveWithFeedback(page, page.getByTestId('import-template'), '**/api/imports/template', {
    busy: '正在下载',
    idle: '模板下载',
  });
  expect(download.suggestedFilename()).toBe('问题清单模板.xlsx');
  return bytesOf(download);
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function upload(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: XLSX, buffer: bytes });
}

describe('web app: the inspector imports a 问题清单', () => {
  const session = browserSession('import');
  let template: Buffer;

  it('marks the unknown unit on its cell, previews the fixed sheet clean, imports it and links the filed', async () => {
    const { journey } = session;
    const { page } = journey;
    await journey.signIn('inspector');
    await page.getByTestId('nav').getByText('导入清单').click();
    await page.getByTestId('import-upload').waitFor();
    await journey.shot('import-start');

    template = await downloadTemplate(page);
    await upload(page, '蔡郢村问题清单.xlsx', await filledTemplate(template, caiyingRows(WRONG_UNIT)));
    const counts = page.getByTestId('import-counts');
    await counts.filter({ hasText: '共4行，可导入3行，有问题1行' }).waitFor();
    // Row 5 of the sheet (under the header and the example): its 责任单位 cell is marked, with why, and only it.
    const wrong = page.getByTestId('cell-5-责任单位');
    expect(await wrong.getAttribute('class')).toContain('cell-problem');
    expect(await wrong.innerText()).toContain(`未知的责任单位「${WRONG_UNIT}」：不存在，或不能承办该地点的整改任务`);
    expect(await page.locator('[data-testid="import-row-5"] td.cell-problem').count()).toBe(1);
    expect(await page.locator('.import-table td.cell-problem').count()).toBe(1);
    expect(await page.getByTestId('problems-5').innerText()).toContain(`责任单位：未知的责任单位「${WRONG_UNIT}」`);
    // The other rows read as they will be filed: the place and category matched, the deadline in Chinese.
    expect(await page.getByTestId('cell-3-地点').innerText()).toBe('蔡郢村');
    expect(await page.getByTestId('cell-6-问题类别').innerText()).toBe('沟塘清淤');
    expect(await page.getByTestId('cell-3-整改期限').innerText()).toBe(DEADLINE_SHOWN);
    expect(await page.getByTestId('problems-3').innerText()).toBe('可导入');
    await journey.shot('import-preview-with-error');

    // The sheet fixed and uploaded again.
    await upload(page, '蔡郢村问题清单（修改后）.xlsx', await filledTemplate(template, caiyingRows('王堰镇人民政府')));
    await counts.filter({ hasText: '共4行，可导入4行，有问题0行' }).waitFor();
    expect(await page.locator('.import-table td.cell-problem').count()).toBe(0);
    await journey.shot('import-preview-fixed');

    // 导入 asks first, saying how many rows it files.
    await page.getByTestId('import-commit').click();
    const confirm = page.getByTestId('confirm-import');
    expect(await confirm.innerText()).toContain('共4行');
    await journey.shot('import-confirm');
    await page.getByTestId('confirm-import-yes').click();
    const result = page.getByTestId('import-result');
    await result.getByTestId('import-result-counts').filter({ hasText: '已登记4行，跳过0行，失败0行' }).waitFor();
    expect(await result.getByTestId('result-finding').allInnerTexts()).toEqual([
      '大史郢庄、万庄危旧房未拆除',
      '破旧房屋未拆除',
      '旱厕未拆除',
      '沟塘淤塞',
    ]);
    await journey.shot('import-result');

    // The tasks filed are ordinary tasks: over the API, in the task list, and one tap from the result.
    const taskIds = await Promise.all(
      (await result.getByTestId('result-task').all()).map(async (link) =>
        (await link.getAttribute('href'))!.replace('/tasks/', ''),
      ),
    );
    expect(taskIds).toHaveLength(4);
    const inspector = await login(session.http, 'inspector');
    const housing = (await inspector.get(`/api/tasks/${taskIds[0]}`)).body;
    expect(housing).toMatchObject({ status: 'assigned', target: { quantity: 217, unit: '户' } });
    await eventually(async () => {
      const listed = (await inspector.get('/api/tasks?q=旱厕未拆除&pageSize=50')).body.items as Array<{ id: string }>;
      return listed.some((task) => task.id === taskIds[2]) ? true : undefined;
    });
    await page.getByTestId('nav').locator('a[href="/tasks"]').click();
    await page.getByTestId('filter-q').fill('旱厕未拆除');
    await page.getByTestId('filter-q').press('Enter');
    await page.getByTestId('task-card').filter({ hasText: '旱厕未拆除' }).first().waitFor();
    await journey.shot('import-tasks-listed');
    expect(journey.problems).toEqual([]);
  });

  it('shows the progress of an import run in the background, again after a reload, then its result', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.goto(`${session.http.baseUrl}/imports`);
    await upload(page, '蔡郢村问题清单.xlsx', await filledTemplate(template, caiyingRows('王堰镇人民政府')));
    await page.getByTestId('import-counts').filter({ hasText: '可导入4行' }).waitFor();
    // The commit answered as one run in the background answers it (202, running), and every look at the import
    // finds it half-way until the test lets the real answer (the import done) through.
    let running = false;
    await page.route(/\/api\/imports\/[^/]+\/commit$/, async (route) => {
      const body = await (await route.fetch()).json();
      running = true;
      await route.fulfill({ status: 202, json: { ...body, commit: { status: 'running', processed: 0, total: 4 } } });
    });
    let looks = 0;
    await page.route(/\/api\/imports\/[^/]+$/, async (route) => {
      if (route.request().method() !== 'GET' || !running) return route.fallback();
      looks++;
      const body = await (await route.fetch()).json();
      await route.fulfill({ json: { ...body, commit: { status: 'running', processed: 2, total: 4 } } });
    });
    await page.getByTestId('import-commit').click();
    await page.getByTestId('confirm-import-yes').click();
    const progress = page.getByTestId('import-progress');
    await progress.filter({ hasText: '已导入 2/4' }).waitFor();
    expect(await progress.locator('progress').getAttribute('value')).toBe('2');
    await journey.shot('import-progress');
    // Reloaded half-way, the page finds the import again (its id is in the address) and follows it on.
    const before = looks;
    await page.reload();
    await progress.filter({ hasText: '已导入 2/4' }).waitFor();
    expect(looks).toBeGreaterThan(before);
    expect(await page.getByTestId('import-commit').count()).toBe(0);
    running = false;
    await page.getByTestId('import-result-counts').filter({ hasText: '已登记4行，跳过0行，失败0行' }).waitFor();
    expect(await progress.count()).toBe(0);
    await page.unrouteAll();
    expect(journey.problems).toEqual([]);
  });

  it('refuses a sheet without the required columns in Chinese, naming the columns it lacks', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.goto(`${session.http.baseUrl}/imports`);
    const csv = '\ufeff序号,地点,问题描述\r\n1,蔡郢村,危旧房未拆除\r\n';
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: '自制清单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    const toast = page.getByTestId('problem-toast');
    await toast.filter({ hasText: '表格缺少必填的列' }).waitFor();
    expect(await page.getByTestId('import-missing').innerText()).toBe(
      '缺少的列：问题类别、严重程度、责任单位、整改期限、整改措施',
    );
    expect(await page.getByTestId('import-summary').count()).toBe(0);
    await journey.shot('import-missing-columns');
    expect(journey.problems.filter((problem) => /^(console|page):/.test(problem))).toEqual([]);
  });

  it('on the phone, marks the wrong cell and keeps the page readable', async () => {
    const browser = session.journey.page.context().browser()!;
    const phone = await Journey.start(browser, session.http.baseUrl, 'import-phone', PHONE);
    try {
      const { page } = phone;
      await phone.signIn('inspector');
      await page.goto(`${session.http.baseUrl}/imports`);
      await upload(page, '蔡郢村问题清单.xlsx', await filledTemplate(template, caiyingRows(WRONG_UNIT)));
      await page.getByTestId('import-counts').filter({ hasText: '共4行，可导入3行，有问题1行' }).waitFor();
      const wrong = page.getByTestId('cell-5-责任单位');
      await wrong.scrollIntoViewIfNeeded();
      const box = (await wrong.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(await wrong.innerText()).toContain(`未知的责任单位「${WRONG_UNIT}」`);
      await phone.shot('import-preview-with-error');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
