import type { Locator, Page, Response } from 'playwright-core';
import { browserSession, DESKTOP, Journey, PHONE } from '../support/browser';
import { login } from '../support/http-client';

/**
 * Refusals as the people this is for read them (issue 20, point 1): a Chinese sentence that says what to do, next to
 * the control the problem names or in a toast, inside the viewport on desktop and phone; never the API's English
 * detail, a raw code, a UUID or an ISO timestamp.
 */
// A real browser on a shared machine: each step may take seconds.

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const RAW_CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/;

const VIEWPORTS = [
  ['desktop', { ...DESKTOP, viewport: { width: 1366, height: 768 } }],
  ['phone', PHONE],
] as const;

describe('web app: refusals in Chinese, in view', () => {
  const session = browserSession('problems');
  let findingId: string;

  beforeAll(async () => {
    const inspector = await login(session.http, 'inspector');
    const tasks = (await inspector.get('/api/tasks?pageSize=1')).body as { items: Array<{ findingId: string }> };
    findingId = tasks.items[0].findingId;
  });

  /** The element is on screen: its box lies inside the window, not scrolled away above or below. */
  async function expectInView(page: Page, element: Locator): Promise<void> {
    await element.waitFor();
    const box = await element.boundingBox();
    const { width, height } = page.viewportSize()!;
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(height);
    expect(box!.x + box!.width).toBeLessThanOrEqual(width);
  }

  /** What the page shows has neither the API's English detail nor a raw code, a UUID or an ISO timestamp. */
  async function expectNothingRaw(page: Page, refusal: Response): Promise<void> {
    const problem = (await refusal.json()) as { code: string; detail: string };
    const text = await page.locator('body').innerText();
    expect(text).not.toContain(problem.detail);
    expect(text).not.toContain(problem.code);
    expect(text).not.toMatch(RAW_CODE);
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(ISO_TIMESTAMP);
  }

  const refusalOf = (page: Page, path: RegExp) =>
    page.waitForResponse((response) => path.test(new URL(response.url()).pathname) && response.status() >= 400);

  describe.each(VIEWPORTS)('on the %s', (name, options) => {
    let journey: Journey;
    beforeAll(async () => {
      const browser = session.journey.page.context().browser()!;
      journey = await Journey.start(browser, session.http.baseUrl, `problems-${name}`, options);
    });
    afterAll(() => journey?.close());

    it('says under the deadline that a date before today cannot be one, in Chinese dates', async () => {
      const { page } = journey;
      await journey.signIn('inspector');
      await page.goto(`${session.http.baseUrl}/findings/${findingId}`);
      const form = page.getByTestId('assign-form');
      await form.locator('select[name=unitId]').selectOption({ label: '王家坝镇人民政府' });
      await form.locator('input[name=deadline]').fill('2020-01-01');
      await form.locator('textarea[name=measures]').fill('逐户改造无害化卫生厕所');
      const refusal = refusalOf(page, /\/api\/findings\/.+\/tasks$/);
      await page.getByTestId('assign').click();
      expect((await (await refusal).json()).code).toBe('DEADLINE_IN_PAST');

      const message = form.getByTestId('field-error');
      await expectInView(page, message);
      expect(await message.innerText()).toBe('整改期限（2020年1月1日）早于今天，请选择今天或以后的日期。');
      const deadline = form.locator('input[name=deadline]');
      expect(await deadline.getAttribute('aria-invalid')).toBe('true');
      expect(await deadline.getAttribute('aria-describedby')).toBe(await message.getAttribute('id'));
      await expectNothingRaw(page, await refusal);
      await journey.shot('deadline-in-past');

      // Correcting the field takes the message away.
      await deadline.fill('2030-12-31');
      expect(await form.getByTestId('field-error').count()).toBe(0);
    });

    it('shows a refusal no field names in a toast in view, and an unknown code with a Chinese fallback', async () => {
      const { page } = journey;
      const form = page.getByTestId('assign-form');
      await page.route('**/api/findings/*/tasks', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            type: 'about:blank',
            title: 'Service unavailable',
            status: 503,
            detail: 'PostgreSQL does not answer: try again in a moment',
            code: 'STORE_UNAVAILABLE',
            retryAfterSeconds: 5,
          }),
        }),
      );
      let refusal = refusalOf(page, /\/api\/findings\/.+\/tasks$/);
      await page.getByTestId('assign').click();
      const toast = page.getByTestId('problem-toast');
      await expectInView(page, toast);
      expect(await toast.getAttribute('role')).toBe('alert');
      expect(await toast.innerText()).toContain('系统暂时忙，请5秒后重试。');
      await expectNothingRaw(page, await refusal);
      await journey.shot('toast');
      await page.getByTestId('problem-dismiss').click();
      expect(await toast.count()).toBe(0);

      await page.unroute('**/api/findings/*/tasks');
      await page.route('**/api/findings/*/tasks', (route) =>
        route.fulfill({
          status: 422,
          contentType: 'application/problem+json',
          body: JSON.stringify({ status: 422, code: 'A_CODE_FROM_TOMORROW', detail: 'something new went wrong' }),
        }),
      );
      refusal = refusalOf(page, /\/api\/findings\/.+\/tasks$/);
      await form.locator('input[name=deadline]').fill('2030-12-31');
      await page.getByTestId('assign').click();
      await expectInView(page, toast);
      expect(await toast.innerText()).toContain('操作没有成功，请稍后重试');
      expect(await page.getByTestId('problem-code').innerText()).toBe('A_CODE_FROM_TOMORROW');
      // The code is there for whoever the person calls for help, marked as no words to read (translate="no").
      await journey.check('unknown-code');
      expect(await page.locator('body').innerText()).not.toContain((await (await refusal).json()).detail);
      await page.unroute('**/api/findings/*/tasks');
    });

    it('says under the current password that it is wrong', async () => {
      const { page } = journey;
      await page.getByTestId('who').click();
      const form = page.getByTestId('password-form');
      await form.locator('input[name=currentPassword]').fill('not-the-password');
      await form.locator('input[name=newPassword]').fill('Wangyan-rectifies-2026');
      const refusal = refusalOf(page, /^\/api\/auth\/password$/);
      await page.getByTestId('change-password').click();
      const message = form.getByTestId('field-error');
      await expectInView(page, message);
      expect(await message.innerText()).toBe('当前密码不正确，请重新输入。');
      expect(await form.locator('input[name=currentPassword]').getAttribute('aria-invalid')).toBe('true');
      await expectNothingRaw(page, await refusal);
      await journey.check('wrong-current-password');
    });

    it('says under the username, far down the directory, that the name is taken', async () => {
      const { page } = journey;
      await journey.signOut();
      await journey.signIn('admin');
      const form = page.getByTestId('add-user');
      await form.locator('input[name=username]').fill('inspector');
      await form.locator('input[name=displayName]').fill('王岩');
      await form.locator('input[name=password]').fill('Wangyan-rectifies-2026');
      const refusal = refusalOf(page, /^\/api\/users$/);
      await page.getByTestId('add-user-submit').click();
      expect((await (await refusal).json()).code).toBe('DUPLICATE');
      const message = form.getByTestId('field-error');
      await expectInView(page, message);
      expect(await message.innerText()).toBe('用户名（inspector）已被使用，请换一个。');
      await expectNothingRaw(page, await refusal);
      await journey.shot('username-taken');
      expect(journey.problems.filter((problem) => /^(console|page):/.test(problem))).toEqual([]);
      await journey.signOut();
    });
  });
});
