import type { Page } from 'playwright-core';
import { addDays, shanghaiDateOf } from '@zhenggai/domain';
import { browserSession, DESKTOP, Journey, PHONE, samplePhoto, JourneySetUp } from '../support/browser';
import { login } from '../support/http-client';

/**
 * 逐级分解 in real Chromium, on a phone and on a desktop: the county's housing bureau breaks its task down to 王堰镇,
 * the town breaks its share down to 蔡郢村, the village reports and submits, the town verifies it and submits its own
 * part, the county verifies the town and submits its own, the inspector closes the top — the tree showing every
 * level with its light all along. Each unit works with its demo account.
 */
// A real browser on a shared machine: each step may take seconds.

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const RAW_CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[a-z]+_[a-z_]+\b/;

const VIEWPORTS = [
  ['phone', PHONE],
  ['desktop', { ...DESKTOP, viewport: { width: 1366, height: 768 } }],
] as const;

const today = shanghaiDateOf(new Date());
const titleOn = (name: string) => `蔡郢村危房改造（${name === 'phone' ? '一' : '二'}）`;

describe('web app: 逐级分解, county → town → village', () => {
  /** One task for the county's housing bureau per viewport: 10 households in 蔡郢村. */
  async function setUp(app: JourneySetUp) {
    const inspector = await login(app.http, 'inspector');
    const housing = await login(app.http, 'housing');
    const { unitId } = (await housing.get('/api/auth/me')).body as { unitId: string };
    const regions = (await inspector.get('/api/regions')).body as Array<{ id: string; name: string }>;
    for (const [name] of VIEWPORTS) {
      const finding = await inspector.post('/api/findings', {
        title: titleOn(name),
        regionId: regions.find((r) => r.name === '蔡郢村')!.id,
        category: 'dangerous-housing',
        severity: 'high',
      });
      await inspector.post(`/api/findings/${finding.body.id}/tasks`, {
        unitId,
        deadline: addDays(today, 30),
        measures: '逐户核查危房，完成改造',
        target: { quantity: 10, unit: '户' },
      });
    }
  }
  const session = browserSession('breakdown', { setUp });

  describe.each(VIEWPORTS)('on the %s', (name, options) => {
    let journey: Journey;
    let page: Page;
    const title = titleOn(name);
    beforeAll(async () => {
      const browser = session.journey.page.context().browser()!;
      journey = await Journey.start(browser, session.http.baseUrl, `breakdown-${name}`, options);
      page = journey.page;
    });
    afterAll(() => journey?.close());

    async function signInAs(username: string) {
      if (await page.getByTestId('logout').count()) {
        // Signed out for good (the session ended on the server) before the next one signs in.
        await journey.signOut();
      }
      await journey.signIn(username);
    }
    /**
     * The unit's own task of the tree, by the lead unit its card names (its list also holds the sub-tasks below it,
     * whose titles name the units above them).
     */
    async function openTask(leadUnit: string) {
      // The day starts on 待办; the unit's list is one tap away.
      if (new URL(page.url()).pathname !== '/tasks') await page.getByTestId('nav').locator('a[href="/tasks"]').click();
      const ledBy = page.locator('.meta > span:first-child').filter({ hasText: new RegExp(`^${leadUnit}$`) });
      await page.getByTestId('task-card').filter({ hasText: title }).filter({ has: ledBy }).first().click();
      await page.getByTestId('task-detail').waitFor();
    }
    /** Opens the task of the tree its unit leads, by the unit's name its node links with. */
    async function openTreeNode(leadUnit: string) {
      await page.getByTestId('tree-node').getByRole('link', { name: leadUnit, exact: true }).click();
    }
    /** 回头看: reopens the closed task on the page with a reason and a new deadline. */
    async function reopenWith(reason: string, deadline: string) {
      await page.locator('input[name=reopenReason]').fill(reason);
      await page.locator('input[name=reopenDeadline]').fill(deadline);
      await page.getByTestId('reopen').click();
      await page.getByTestId('task-status').filter({ hasText: '整改中' }).waitFor();
      await page.getByTestId('task-detail').getByText(deadline).waitFor();
    }
    async function expectNothingRaw() {
      const text = await page.locator('body').innerText();
      expect(text).not.toMatch(UUID);
      expect(text).not.toMatch(ISO_TIMESTAMP);
      expect(text).not.toMatch(RAW_CODE);
    }
    /** The tree's nodes as shown (once the tree has loaded: one request brings them all): depth, whether only the
     * chain above, light, status. */
    const treeRows = async () => {
      await page.getByTestId('tree-node').first().waitFor();
      return page
        .getByTestId('tree-node')
        .evaluateAll((nodes) =>
          nodes.map((n) => [
            Number(n.getAttribute('data-depth')),
            n.getAttribute('data-partial') === 'true',
            n.querySelector('[data-light]')?.getAttribute('data-light') ?? null,
            n.querySelector('[data-status]')?.getAttribute('data-status') ?? null,
          ]),
        );
    };
    async function breakDown(unitName: string, share: string, remainder: string, deadline: string) {
      await page.getByTestId('break-down-open').click();
      await page.getByTestId('break-down-form').locator('select[name=subtaskUnit]').selectOption({ label: unitName });
      await breakDownFilled(unitName, share, remainder, deadline);
    }
    /** Fills the open form's one row for the unit chosen, checks the remainder shown, and submits. */
    async function breakDownFilled(unitName: string, share: string, remainder: string, deadline: string) {
      const form = page.getByTestId('break-down-form');
      const row = form.getByTestId('subtask-row').first();
      await row.locator('input[name=subtaskShare]').fill(share);
      await row.locator('input[name=subtaskDeadline]').fill(deadline);
      await row.locator('textarea[name=subtaskMeasures]').fill(`${unitName}负责${share}户危房改造`);
      await form.getByTestId('remainder-value').filter({ hasText: remainder }).waitFor();
      await journey.shot('break-down-form');
      await form.getByTestId('break-down-submit').click();
      await page.getByTestId('created-subtasks').getByText(unitName.replace(/（.*$/, '')).waitFor();
    }
    async function submitOwnPart(quantity: string, report: string) {
      const submit = page.getByTestId('submit-form');
      if ((await submit.count()) === 0) await page.getByTestId('open-submit').click();
      await submit.locator('textarea[name=report]').fill(report);
      await submit.locator('input[name=submitQuantity]').fill(quantity);
      await submit
        .getByTestId('evidence-input')
        .setInputFiles({ name: '改造照片.png', mimeType: 'image/png', buffer: samplePhoto() });
      await submit.getByTestId('evidence-uploaded').waitFor();
      await submit.locator('button[type=submit]').click();
      await page.getByTestId('task-status').filter({ hasText: '待验收' }).waitFor();
    }
    async function verifyFromQueue() {
      await page.getByTestId('nav').getByText('待验收').click();
      await page.getByTestId('sign-off-queue').getByTestId('task-card').filter({ hasText: title }).first().click();
      await page.getByTestId('sign-off').waitFor();
      await journey.shot('sign-off');
      await page.getByTestId('verify').click();
      await page.getByTestId('task-status').filter({ hasText: '已销号' }).waitFor();
    }

    it('the county accepts, is refused 11 of 10 under the remainder, and breaks 6 down to 王堰镇', async () => {
      await signInAs('housing');
      await openTask('阜南县住房和城乡建设局');
      await page.getByTestId('accept').click();
      await page.getByTestId('task-status').filter({ hasText: '已签收' }).waitFor();
      // More than the target: the remainder turns negative as it types, and the refusal says so under it.
      await page.getByTestId('break-down-open').click();
      const form = page.getByTestId('break-down-form');
      await form.locator('select[name=subtaskUnit]').selectOption({ label: '王堰镇人民政府（王堰镇）' });
      await form.locator('input[name=subtaskShare]').fill('11');
      await form.getByTestId('remainder-value').filter({ hasText: '-1' }).waitFor();
      await form.getByTestId('break-down-submit').click();
      expect(await form.getByTestId('field-error').innerText()).toBe(
        '分配给子任务的数量加上本单位已完成的数量超过了任务目标，请减少分配数量。',
      );
      await expectNothingRaw();
      await journey.shot('shares-above-target');
      await breakDownFilled('王堰镇人民政府（王堰镇）', '6', '4', addDays(today, 20));
      await page.getByTestId('tree-node').nth(1).waitFor();
      expect(await treeRows()).toEqual([
        [0, false, 'green', 'in_progress'],
        [1, false, 'green', 'assigned'],
      ]);
      await expectNothingRaw();
      await journey.shot('county-tree');
    });

    it('the town accepts, sees the county above it and breaks 4 down to 蔡郢村', async () => {
      await signInAs('unit');
      await openTask('王堰镇人民政府');
      // Only its own task and the chain above it: no sign-off or break-down of what it does not lead.
      expect(await page.getByTestId('sign-off').count()).toBe(0);
      await page.getByTestId('accept').click();
      await page.getByTestId('task-status').filter({ hasText: '已签收' }).waitFor();
      await breakDown('蔡郢村民委员会（蔡郢村）', '4', '2', addDays(today, 15));
      await page.getByTestId('tree-node').nth(2).waitFor();
      expect(await treeRows()).toEqual([
        [0, true, null, null],
        [1, false, 'green', 'in_progress'],
        [2, false, 'green', 'assigned'],
      ]);
      await expectNothingRaw();
      await journey.shot('town-tree');
    });

    it('the village accepts, reports, asks the town for more time and submits its 4 households', async () => {
      await signInAs('caiying');
      await openTask('蔡郢村民委员会');
      await page.getByTestId('accept').click();
      await page.getByTestId('task-status').filter({ hasText: '已签收' }).waitFor();
      expect(await page.getByTestId('break-down-open').count()).toBe(1);
      await page.getByTestId('open-progress').click();
      const progress = page.getByTestId('progress-form');
      await progress.locator('input[name=quantityDone]').fill('2');
      await progress.locator('textarea[name=note]').fill('已改造2户');
      await progress.locator('button[type=submit]').click();
      await page.getByTestId('task-status').filter({ hasText: '整改中' }).waitFor();
      await page.getByTestId('open-extension').click();
      const extension = page.getByTestId('extension-form');
      await extension.locator('input[name=deadline]').fill(addDays(today, 18));
      await extension.locator('textarea[name=reason]').fill('两户房主外出务工，需延期');
      await extension.locator('button[type=submit]').click();
      await page.getByTestId('pending-extension').waitFor();
      // The village does not decide its own extension: the town that assigned it does.
      expect(await page.getByTestId('approve-extension').count()).toBe(0);
      await submitOwnPart('4', '4户危房全部改造完成');
      expect(await page.getByTestId('sign-off').count()).toBe(0);
      await expectNothingRaw();
      await journey.shot('village-submitted');
    });

    it('the town approves the village extension, verifies it from its 待验收 queue and submits its own part', async () => {
      await signInAs('unit');
      await openTask('王堰镇人民政府');
      await openTreeNode('蔡郢村民委员会');
      await page.getByTestId('approve-extension').click();
      await page.getByTestId('pending-extension').waitFor({ state: 'detached' });
      expect(await page.getByTestId('task-detail').innerText()).toContain(addDays(today, 18));
      await verifyFromQueue();
      await expectNothingRaw();
      await openTreeNode('王堰镇人民政府');
      await page.getByTestId('open-submit').waitFor();
      expect(await treeRows()).toEqual([
        [0, true, null, null],
        [1, false, 'green', 'in_progress'],
        [2, false, 'closed_on_time', 'closed'],
      ]);
      // The village's 4 households count for the town once verified.
      expect(await page.getByTestId('tree-quantity').allInnerTexts()).toEqual(['4 / 6 户', '4 / 4 户']);
      await submitOwnPart('2', '本镇自办2户完成');
    });

    it('the county verifies the town, submits its own 4 households, and the inspector closes the top', async () => {
      await signInAs('housing');
      await verifyFromQueue();
      await openTreeNode('阜南县住房和城乡建设局');
      await page.getByTestId('open-submit').waitFor();
      // The tree comes in its own request, after the task: one node shown, all are.
      await page.getByTestId('tree-node').first().waitFor();
      expect(await page.getByTestId('tree-quantity').allInnerTexts()).toEqual(['6 / 10 户', '6 / 6 户', '4 / 4 户']);
      await submitOwnPart('4', '县住建局直办4户完成');

      await signInAs('inspector');
      await verifyFromQueue();
      await page.getByTestId('tree-node').nth(2).waitFor();
      expect(await treeRows()).toEqual([
        [0, false, 'closed_on_time', 'closed'],
        [1, false, 'closed_on_time', 'closed'],
        [2, false, 'closed_on_time', 'closed'],
      ]);
      expect(await page.getByTestId('tree-quantity').allInnerTexts()).toEqual(['10 / 10 户', '6 / 6 户', '4 / 4 户']);
      await expectNothingRaw();
      await journey.shot('all-closed');
      // Nothing went wrong but the one refusal asked for.
      expect(journey.problems).toEqual([expect.stringMatching(/^422 POST \/api\/tasks\/[^/]+\/subtasks$/)]);
    });

    it('after a look-back the county reopens the town’s share by its deadline, cancels it once confirmed', async () => {
      // Under its closed task, the town may not reopen the village's verified share, and is told why.
      await signInAs('unit');
      await page.getByTestId('nav').locator('a[href="/tasks"]').click();
      // On the phone the filters wait behind 筛选.
      if (name === 'phone') await page.getByTestId('filters-toggle').click();
      await page.getByTestId('filter-status').selectOption('');
      await openTask('王堰镇人民政府');
      await openTreeNode('蔡郢村民委员会');
      await page.getByTestId('reopen-hint').waitFor();
      expect(await page.getByTestId('reopen').isDisabled()).toBe(true);
      expect(await page.getByTestId('cancel-task').count()).toBe(0);
      await expectNothingRaw();
      await journey.shot('sub-task-reopen-blocked');

      await signInAs('inspector');
      await openTask('阜南县住房和城乡建设局');
      await reopenWith('回头看发现1户屋面渗漏', addDays(today, 25));

      // The county reopens the town's share, by a deadline no later than its own task's.
      await signInAs('housing');
      await openTask('阜南县住房和城乡建设局');
      await openTreeNode('王堰镇人民政府');
      await page
        .getByTestId('reopen-limit')
        .filter({ hasText: addDays(today, 25) })
        .waitFor();
      await page.locator('input[name=reopenDeadline]').fill(addDays(today, 26));
      expect(await page.getByTestId('reopen').isDisabled()).toBe(true);
      await reopenWith('回头看：1户屋面渗漏，镇里复查', addDays(today, 24));
      await expectNothingRaw();

      // The inspector may not cancel the top task while the town's share is open again: the button says why.
      await signInAs('inspector');
      await openTask('阜南县住房和城乡建设局');
      await page.getByTestId('cancel-hint').waitFor();
      expect(await page.getByTestId('open-cancel').isDisabled()).toBe(true);

      // The county cancels the town's share, behind a confirmation it may first decline.
      await signInAs('housing');
      await openTask('阜南县住房和城乡建设局');
      await openTreeNode('王堰镇人民政府');
      await page.getByTestId('open-cancel').click();
      await page.locator('input[name=cancelReason]').fill('渗漏户改由县住建局直接维修');
      await page.getByTestId('cancel-task').click();
      await page.getByTestId('confirm-cancel').getByText('渗漏户改由县住建局直接维修').waitFor();
      await journey.shot('confirm-cancel');
      await page.getByTestId('confirm-cancel-no').click();
      await page.getByTestId('confirm-cancel').waitFor({ state: 'detached' });
      expect(await page.getByTestId('task-status').getAttribute('data-status')).toBe('in_progress');
      await page.getByTestId('cancel-task').click();
      await page.getByTestId('confirm-cancel-yes').click();
      await page.getByTestId('task-status').filter({ hasText: '已撤销' }).waitFor();
      expect(await page.getByTestId('manage-task').count()).toBe(0);
      await expectNothingRaw();
      await journey.shot('sub-task-cancelled');
      expect(journey.problems).toEqual([expect.stringMatching(/^422 POST \/api\/tasks\/[^/]+\/subtasks$/)]);
    });
  });
});
