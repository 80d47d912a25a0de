import { addDays, shanghaiDateOf } from '@zhenggai/domain';
import { HttpClient, login } from '../support/http-client';
import { browserSession, PHONE, samplePhoto } from '../support/browser';
import { recordReminder } from '../support/reminders';
import { TestApp } from '../support/test-app';

/**
 * The unit's day on a phone in real Chromium: its tasks by deadline with their lights, the whole lifecycle, the inbox.
 */
// A real browser on a shared machine: each step may take seconds.

describe('web app: the responsible unit (责任单位), on a phone', () => {
  const today = shanghaiDateOf(new Date());
  const title = '王堰镇公厕保洁不到位';

  /** A new task for the unit to work through, and a reminder waiting in its inbox. */
  async function setUp(app: TestApp) {
    const inspector = await login(app.http, 'inspector');
    const unit: HttpClient = await login(app.http, 'unit');
    const me = (await unit.get('/api/auth/me')).body;
    const regions = (await inspector.get('/api/regions')).body as Array<{ id: string; name: string }>;
    const finding = await inspector.post('/api/findings', {
      title,
      regionId: regions.find((r) => r.name === '王堰镇')!.id,
      category: 'sanitation',
      severity: 'medium',
    });
    await inspector.post(`/api/findings/${finding.body.id}/tasks`, {
      unitId: me.unitId,
      deadline: addDays(today, 10),
      measures: '落实公厕专人保洁，每日巡查',
      target: { quantity: 12, unit: '座' },
    });
    // Recorded on one of its closed tasks, as the reminder worker would.
    const closed = (await unit.get('/api/tasks?status=closed&pageSize=1')).body.items[0];
    const { deadlineVersion } = (await unit.get(`/api/tasks/${closed.id}`)).body;
    await recordReminder(
      app.infra.eventStore,
      { id: closed.id, deadline: closed.deadline, deadlineVersion },
      'due_today',
      [{ role: 'unit', kind: 'user', id: me.id, name: me.displayName }],
    );
  }
  const session = browserSession('unit', { context: PHONE, setUp });

  it('lists my tasks by deadline with their lights', async () => {
    const { journey } = session;
    const { page } = journey;
    await journey.signIn('unit');
    // The day starts on 待办; the task list is one tap away.
    await page.getByTestId('nav').locator('a[href="/tasks"]').click();
    const card = page.getByTestId('task-card').filter({ hasText: title });
    await card.waitFor();
    expect(await card.locator('[data-light]').getAttribute('data-light')).toBe('green');
    const lights = await page
      .getByTestId('task-card')
      .locator('[data-light]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-light')));
    // Open tasks only, nearest deadline first: the one due in two days (yellow) before those due later.
    expect(lights[0]).toBe('yellow');
    expect(lights.every((light) => ['yellow', 'green', 'red'].includes(light!))).toBe(true);
    await journey.shot('my-tasks');
  });

  it('signs for the task, plans, reports progress with a photo, asks for an extension and submits', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('task-card').filter({ hasText: title }).click();
    await page.getByTestId('accept').click();
    await page.getByTestId('task-status').filter({ hasText: '已签收' }).waitFor();

    await page.locator('textarea[name=plan]').fill('一厕一人，专人保洁；镇里每周抽查');
    await page.getByTestId('plan-form').locator('button[type=submit]').click();
    await page.getByTestId('timeline-entry').filter({ hasText: '记录整改方案' }).waitFor();

    const progress = page.getByTestId('progress-form');
    await progress.locator('input[name=quantityDone]').fill('5');
    await progress.locator('textarea[name=note]').fill('已落实5座公厕专人保洁');
    await progress
      .getByTestId('evidence-input')
      .setInputFiles({ name: '公厕保洁.png', mimeType: 'image/png', buffer: samplePhoto() });
    await progress.getByTestId('evidence-uploaded').waitFor();
    await journey.shot('report-progress');
    await progress.locator('button[type=submit]').click();
    await page.getByTestId('task-status').filter({ hasText: '整改中' }).waitFor();
    const reported = page.getByTestId('timeline-entry').filter({ hasText: '报告进度' });
    await reported.getByTestId('evidence-image').waitFor();
    await reported.getByTestId('evidence-captured-at').waitFor();

    const extension = page.getByTestId('extension-form');
    await extension.locator('input[name=deadline]').fill(addDays(today, 20));
    await extension.locator('textarea[name=reason]').fill('部分公厕在维修，需延期');
    await extension.locator('button[type=submit]').click();
    await page.getByTestId('pending-extension').waitFor();

    const submit = page.getByTestId('submit-form');
    await submit.locator('textarea[name=report]').fill('12座公厕全部落实专人保洁');
    await submit.locator('input[name=submitQuantity]').fill('12');
    await submit
      .getByTestId('evidence-input')
      .setInputFiles({ name: '验收照片.png', mimeType: 'image/png', buffer: samplePhoto(120, 80) });
    await submit.getByTestId('evidence-uploaded').waitFor();
    await submit.locator('button[type=submit]').click();
    await page.getByTestId('task-status').filter({ hasText: '待验收' }).waitFor();
    await page.getByTestId('submission-report').waitFor();
    await journey.shot('submitted');
  });

  it('reads a reminder in the inbox', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('nav').getByText('消息').click();
    await page.getByTestId('unread-count').waitFor();
    await journey.shot('inbox');
    await page.getByTestId('inbox-item').filter({ hasText: '到期提醒' }).first().click();
    await page.getByTestId('task-detail').waitFor();
    await page.getByTestId('nav').getByText('消息').click();
    await page.getByTestId('inbox-item').first().waitFor();
    expect(await page.getByTestId('unread-count').count()).toBe(0);
    expect(journey.problems).toEqual([]);
  });

  it('changes its password from its account page; the device stays signed in', async () => {
    const { journey, app } = session;
    const { page } = journey;
    await page.getByTestId('who').click();
    await page.locator('input[name=currentPassword]').fill('rectify-demo');
    await page.locator('input[name=newPassword]').fill('Wangyan-field-2026');
    await page.getByTestId('change-password').click();
    await page.getByTestId('password-changed').waitFor();
    await page.getByTestId('nav').getByText('我的任务').click();
    await page.getByTestId('task-card').first().waitFor();
    expect((await app.http.post('/api/auth/login', { username: 'unit', password: 'rectify-demo' })).status).toBe(401);
    expect((await app.http.post('/api/auth/login', { username: 'unit', password: 'Wangyan-field-2026' })).status).toBe(
      200,
    );
    expect(journey.problems).toEqual([]);
  });
});
