import {
  browserSession,
  computedStyle,
  JourneySetUp,
  samplePhoto,
  saveWithFeedback,
  smallerTaskPages,
} from '../support/browser';
import { Client } from 'pg';
import { login } from '../support/http-client';
import { closedAfterThisFile } from '../support/opened-for-this-file';
import { bandOf, cardsOnScreen, URGENCY_BANDS } from '../support/task-cards';

/** The inspector's day in real Chromium: file a finding with a photo, see 举一反三, assign it, sign off a submission. */
// A real browser on a shared machine: each step may take seconds.

/** A second submission waiting for the inspector, beside the demo's (完善扶贫车间用工台账). */
const SECOND_SUBMITTED = '村道边沟积水';

async function setUp(app: JourneySetUp) {
  const inspector = await login(app.http, 'inspector');
  const unit = await login(app.http, 'unit');
  const units: Array<{ id: string; name: string }> = (await inspector.get('/api/units')).body;
  const regions: Array<{ id: string; name: string }> = (await inspector.get('/api/regions')).body;
  const finding = await inspector.post('/api/findings', {
    title: SECOND_SUBMITTED,
    regionId: regions.find((r) => r.name === '王堰镇')!.id,
    category: 'roads',
    severity: 'medium',
  });
  const task = await inspector.post(`/api/findings/${finding.body.id}/tasks`, {
    unitId: units.find((u) => u.name === '王堰镇人民政府')!.id,
    deadline: '2030-12-31',
    measures: '疏通边沟，清理积水',
  });
  expect((await unit.post(`/api/tasks/${task.body.id}/accept`, {})).status).toBe(200);
  expect((await unit.post(`/api/tasks/${task.body.id}/plan`, { plan: '当天疏通边沟' })).status).toBe(200);
  const submitted = await unit.post(`/api/tasks/${task.body.id}/submit`, {
    report: '边沟已疏通',
    evidence: [{ ref: 'photos/ditch.jpg' }],
  });
  expect(submitted.status).toBe(200);
}

describe('web app: the inspector (督查员)', () => {
  const session = browserSession('inspector', { setUp });

  it('files a finding on site with a photo and sees the same problem elsewhere, then assigns a task', async () => {
    const { journey } = session;
    const { page } = journey;
    await journey.signIn('inspector');
    // The day starts on 待办; the task list is one tap away.
    await page.getByTestId('nav').locator('a[href="/tasks"]').click();
    await page.getByTestId('task-card').first().waitFor();
    await journey.shot('task-ledger');
    // Most urgent first, not the past: the overdue tasks, then those waiting to be signed for (待签收, which stand
    // out), then those waiting for sign-off (待验收), the other open ones, and the closed and cancelled ones last.
    const cards = await cardsOnScreen(page);
    const inspector = await login(session.http, 'inspector');
    const listed = (await inspector.get('/api/tasks?sort=urgency&pageSize=200')).body.items as Array<{ id: string }>;
    expect(cards.map((c) => c.id)).toEqual(listed.map((t) => t.id));
    const bands = cards.map(bandOf);
    expect(bands[0]).toBe('逾期');
    expect(bands).toEqual([...bands].sort((a, b) => URGENCY_BANDS.indexOf(a) - URGENCY_BANDS.indexOf(b)));
    expect(bands).toContain('待签收');
    expect(bands[bands.length - 1]).toBe('已结束');
    for (const card of cards)
      expect([card.status, card.awaitingTag, card.background]).toEqual(
        card.status === 'assigned'
          ? ['assigned', true, 'rgb(255, 248, 225)']
          : [card.status, false, 'rgb(255, 255, 255)'],
      );
    // On the desktop the filters stand open, with no button to unfold them.
    expect(await page.getByTestId('filters').isVisible()).toBe(true);
    expect(await page.getByTestId('filters-toggle').isVisible()).toBe(false);
    // The 整改台账 of what is on screen (here: overdue only), as a spreadsheet.
    await page.getByText('只看逾期').click();
    await page.getByTestId('light-summary').filter({ hasText: '共 1 项' }).waitFor();
    // While it is written, its button says so and neither export can be pressed; one that cannot reach the server
    // says so in Chinese.
    const download = await saveWithFeedback(
      page,
      page.getByTestId('export-xlsx'),
      '**/api/tasks/export?*',
      { busy: '正在导出台账', idle: '导出台账 XLSX' },
      [page.getByTestId('export-csv')],
    );
    expect(download.suggestedFilename()).toMatch(/^整改台账-\d{4}-\d{2}-\d{2}\.xlsx$/);

    await page.getByTestId('nav').getByText('发现问题').click();
    await page.locator('input[name=title]').fill('王家坝镇旱厕改造滞后');
    await page.locator('textarea[name=description]').fill('庄台部分农户仍使用旱厕，粪污直排沟塘。');
    const wangjiaba = await page.locator('select[name=regionId] option', { hasText: '王家坝镇' }).getAttribute('value');
    await page.locator('select[name=regionId]').selectOption(wangjiaba!);
    await page.locator('select[name=category]').selectOption('sanitation');
    await page.locator('input[name=severity][value=high]').check();
    await page
      .getByTestId('evidence-input')
      .setInputFiles({ name: '庄台旱厕.png', mimeType: 'image/png', buffer: samplePhoto() });
    await page.getByTestId('evidence-uploaded').waitFor();
    // 举一反三: Caiying village, in the same county, had the same problem (and fixed it).
    await page.getByTestId('similar-item').filter({ hasText: '旱厕未改造，影响人居环境' }).waitFor();
    await journey.shot('file-finding-with-similar');

    await page.getByTestId('file-finding').click();
    await page.getByTestId('finding-detail').getByText('王家坝镇旱厕改造滞后').waitFor();
    await page.getByTestId('finding-detail').getByTestId('evidence-image').waitFor();
    // The category as the directory names it, as on the task page and in the pickers.
    await page.getByTestId('finding-detail').getByText('改厕与环境卫生').waitFor();
    expect(
      await page
        .getByTestId('finding-detail')
        .getByTestId('evidence-image')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBe(96);

    const form = page.getByTestId('assign-form');
    await form.locator('select[name=unitId]').selectOption({ label: '王家坝镇人民政府' });
    await form.locator('input[name=deadline]').fill('2030-12-31');
    await form.locator('textarea[name=measures]').fill('逐户改造无害化卫生厕所');
    await form.locator('input[name=quantity]').fill('36');
    await form.locator('input[name=unit]').fill('户');
    await journey.shot('assign-task');
    await page.getByTestId('assign').click();
    await page.getByTestId('task-status').filter({ hasText: '已交办' }).waitFor();
    await page.getByTestId('timeline-entry').filter({ hasText: '交办' }).waitFor();
    await journey.shot('task-assigned');
  });

  it('opens the sign-off queue, reads the report and evidence, and verifies', async () => {
    const { journey } = session;
    const { page } = journey;
    // One task a page instead of 200: the queue reads on to the end, page after page.
    const restore = await smallerTaskPages(page, 1);
    const queue = page.getByTestId('sign-off-queue').getByTestId('task-card');
    const card = queue.filter({ hasText: '完善扶贫车间用工台账' });
    try {
      await page.getByTestId('nav').getByText('待验收').click();
      await card.waitFor();
      await queue.filter({ hasText: SECOND_SUBMITTED }).waitFor();
      expect(await queue.count()).toBe(2);
    } finally {
      await restore();
    }
    await journey.shot('sign-off-queue');
    await card.click();
    await page.getByTestId('submission-report').filter({ hasText: '用工台账已完善' }).waitFor();
    // On the desktop too: what to do now in one line, the navigation at the top, one form open at a time.
    await page.getByTestId('next-step').filter({ hasText: '下一步：核查整改报告和佐证材料' }).waitFor();
    expect(await computedStyle(page.getByTestId('nav'), 'position')).not.toBe('fixed');
    await page.getByTestId('open-send-back').click();
    expect(await page.getByTestId('sign-off').locator('form').count()).toBe(1);
    await page.getByTestId('send-back-form').getByText('退回理由', { exact: true }).waitFor();
    expect(await page.getByTestId('send-back').isDisabled()).toBe(true);
    expect(await page.getByTestId('hint-send-back').innerText()).toBe('请先填写退回理由');
    await journey.check('send-back-form');
    await page.getByTestId('open-verify').click();
    expect(await page.getByTestId('send-back-form').count()).toBe(0);
    await page.locator('input[name=verifyNote]').fill('核查用工台账，同意销号');
    await page.getByTestId('verify').click();
    await page.getByTestId('task-status').filter({ hasText: '已销号' }).waitFor();
    await page.getByTestId('timeline-entry').filter({ hasText: '验收销号' }).waitFor();
    await journey.shot('verified');
  });

  it('reopens the closed task when a look-back finds it back, hands it to another unit, and cancels it', async () => {
    const { journey } = session;
    const { page } = journey;
    const deadline = new Date(Date.now() + 8 * 3600_000 + 20 * 86_400_000).toISOString().slice(0, 10);
    await page.locator('input[name=reopenReason]').fill('回头看发现用工台账未按月更新');
    await page.locator('input[name=reopenDeadline]').fill(deadline);
    await page.getByTestId('reopen').click();
    await page.getByTestId('timeline-entry').filter({ hasText: '回头看重新打开' }).waitFor();
    await page.getByTestId('task-detail').getByText(deadline).waitFor();

    // One form at a time: 改派 and 撤销 open from their buttons, each asks before it is done.
    expect(await page.getByTestId('manage-task').locator('form').count()).toBe(0);
    await page.getByTestId('open-reassign').click();
    await page.locator('select[name=reassignUnit]').selectOption({ label: '蔡郢村民委员会' });
    await page.getByTestId('reassign-form').getByText('改派理由').waitFor();
    await page.locator('input[name=reassignReason]').fill('用工台账由村委会牵头整理');
    await page.getByTestId('reassign').click();
    await page.getByTestId('confirm-reassign').getByText('用工台账由村委会牵头整理').waitFor();
    await journey.check('confirm-reassign');
    await page.getByTestId('confirm-reassign-yes').click();
    await page.getByTestId('timeline-entry').filter({ hasText: '改派' }).waitFor();
    await page.getByTestId('task-detail').getByText('蔡郢村民委员会').first().waitFor();

    await page.getByTestId('open-cancel').click();
    expect(await page.getByTestId('manage-task').locator('form').count()).toBe(1);
    await page.getByTestId('cancel-form').getByText('撤销理由').waitFor();
    await page.locator('input[name=cancelReason]').fill('与另一任务重复');
    await page.getByTestId('cancel-task').click();
    // Not yet: 撤销 cannot be taken back, so it is asked about first.
    await page.getByTestId('confirm-cancel').getByText('与另一任务重复').waitFor();
    expect(await page.getByTestId('task-status').getAttribute('data-status')).not.toBe('cancelled');
    await journey.check('confirm-cancel');
    await page.getByTestId('confirm-cancel-yes').click();
    await page.getByTestId('task-status').filter({ hasText: '已撤销' }).waitFor();
    await journey.shot('reopened-reassigned-cancelled');
  });

  it('switches to English', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('language').click();
    await page.getByTestId('nav').getByText('Sign-off').waitFor();
    await page.getByTestId('task-status').filter({ hasText: 'Cancelled' }).waitFor();
    // A visitor's choice: the page says it is English (its text is not scanned for English), and axe still runs.
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await journey.check('in-english');
    await page.getByTestId('language').click();
    await page.getByTestId('task-status').filter({ hasText: '已撤销' }).waitFor();
    await journey.check('back-in-chinese');
    expect(journey.problems).toEqual([]);
  });

  it('launches a campaign (专项行动) with a quantity target, lists it, and follows it in the cockpit', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('nav').getByRole('link', { name: '专项行动' }).click();
    const items = page.getByTestId('campaign-item');
    await items.filter({ hasText: '危房改造清零' }).waitFor();

    const form = page.getByTestId('launch-campaign');
    await form.locator('input[name=name]').fill('王堰镇改厕专项行动');
    await form.locator('textarea[name=description]').fill('拆除旱厕，改建卫生厕所');
    await form.locator('select[name=regionId]').selectOption({ label: '\u3000\u3000王堰镇（乡镇）' });
    await form.locator('select[name=category]').selectOption('sanitation');
    // A page left open since a day before: the date picker's earliest day has passed, and the engine refuses a
    // campaign already over, naming its 行动期限 (not a task's 整改期限).
    const deadline = form.locator('input[name=deadline]');
    await deadline.evaluate((input) => input.removeAttribute('min'));
    await deadline.fill('2020-01-01');
    await page.getByTestId('launch-campaign-submit').click();
    const tooLate = form.getByTestId('field-error');
    expect(await tooLate.innerText()).toBe('行动期限（2020年1月1日）早于今天，请选择今天或以后的日期。');
    expect(journey.problems.splice(0)).toEqual(['422 POST /api/campaigns']);
    await deadline.fill('2027-06-30');
    expect(await form.getByTestId('field-error').count()).toBe(0);
    await page.getByTestId('add-target').click();
    await form.locator('input[name="targets[0].label"]').fill('旱厕改造');
    await form.locator('input[name="targets[0].quantity"]').fill('407');
    await form.locator('input[name="targets[0].unit"]').fill('户');
    // A transaction older than the launch still open: the store hands readers no event after it until it ends, so
    // the list, read at once, lags the answer. The page reads it again until it shows the campaign.
    const older = new Client({ connectionString: session.databaseUrl, application_name: 'zhenggai-tests' });
    older.on('error', () => undefined);
    await closedAfterThisFile(
      older.connect().then(() => older),
      (opened) => opened.end(),
    );
    await older.query('BEGIN');
    await older.query('SELECT pg_current_xact_id()');
    await page.getByTestId('launch-campaign-submit').click();
    await form.getByText('已发布：王堰镇改厕专项行动').waitFor();
    const launched = items.filter({ hasText: '王堰镇改厕专项行动' });
    expect(await launched.count()).toBe(0);
    await older.query('COMMIT');

    await launched.getByText('进行中 · 行动期限 2027年6月30日').waitFor();
    await launched.getByText('王堰镇 · 改厕与环境卫生').waitFor();
    await launched.getByText('量化目标：旱厕改造 407 户').waitFor();
    // Running campaigns first.
    expect(await items.first().textContent()).toContain('王堰镇改厕专项行动');
    await journey.check('campaign-launched');
    await journey.shot('campaigns');

    await launched.getByRole('link', { name: '在驾驶舱查看进度' }).click();
    await page.getByTestId('campaign-name').filter({ hasText: '王堰镇改厕专项行动' }).waitFor();
    await journey.check('campaign-cockpit');
    expect(journey.problems).toEqual([]);
  });
});
