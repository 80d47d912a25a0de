import { addDays, shanghaiDateOf } from '@zhenggai/domain';
import { eventually, HttpClient, login } from '../support/http-client';
import { browserSession, Journey } from '../support/browser';

/**
 * 待办 in real Chromium (issue 19): the unit's badge counts a new task at once, the task opens from its 待办 and the
 * count drops once it is signed for; the same for the inspector's 待验收.
 */
describe('web app: 待办 with its badge', () => {
  const today = shanghaiDateOf(new Date());
  const title = '王堰镇村道积水未清理';
  let inspector: HttpClient;
  let taskId: string;
  const session = browserSession('todo');

  const badge = async (journey: Journey) => {
    const text = await journey.page
      .getByTestId('todo-badge')
      .textContent({ timeout: 1_000 })
      .catch(() => '0');
    return Number(text);
  };
  const badgeBecomes = (journey: Journey, expected: number) =>
    eventually(async () => ((await badge(journey)) === expected ? true : undefined), 30_000);

  it('counts a new task on the unit’s badge, opens it from the 待办, and drops the count once signed for', async () => {
    const { journey, http } = session;
    const { page } = journey;
    inspector = await login(http, 'inspector');
    await journey.signIn('unit');
    // The unit starts its day on what waits on it (maybe nothing yet).
    await page.locator('[data-testid=todo], [data-testid=todo-empty]').first().waitFor();
    const before = await badge(journey);
    // The badge counts what was handed over; a plan still to record is listed but not counted.
    expect(before).toBe(await page.locator('[data-testid=todo-item]:not([data-kind=plan])').count());

    const units: Array<{ id: string; name: string }> = (await inspector.get('/api/units')).body;
    const regions: Array<{ id: string; name: string }> = (await inspector.get('/api/regions')).body;
    const finding = await inspector.post('/api/findings', {
      title,
      regionId: regions.find((r) => r.name === '王堰镇')!.id,
      category: 'roads',
      severity: 'medium',
    });
    taskId = (
      await inspector.post(`/api/findings/${finding.body.id}/tasks`, {
        unitId: units.find((u) => u.name === '王堰镇人民政府')!.id,
        deadline: addDays(today, 10),
        measures: '疏通边沟，清理积水',
      })
    ).body.id;
    // The next look at any page shows it.
    await eventually(async () => {
      await page.getByTestId('nav').locator('a[href="/todo"]').click();
      await page.locator('[data-testid=todo], [data-testid=todo-empty]').first().waitFor();
      return (await badge(journey)) === before + 1 ? true : undefined;
    }, 30_000);
    const item = page.getByTestId('todo-item').filter({ hasText: title });
    expect(await item.getAttribute('data-kind')).toBe('sign');
    await journey.shot('todo-new-task');
    await item.click();
    await page.waitForURL(`**/tasks/${taskId}`);
    await page.getByTestId('accept').waitFor();
    await journey.check('task-to-sign-for');
    await page.getByTestId('accept').click();
    await badgeBecomes(journey, before);
    await journey.shot('todo-signed');
  });

  it('puts the submission in the inspector’s 待验收 and drops the count once verified', async () => {
    const { journey, http } = session;
    const { page } = journey;
    const unit = await login(http, 'unit');
    await unit.post(`/api/tasks/${taskId}/plan`, { plan: '当天疏通边沟' });
    const submitted = await unit.post(`/api/tasks/${taskId}/submit`, {
      report: '积水已清理',
      evidence: [{ ref: 'photos/road.jpg' }],
    });
    expect(submitted.status).toBe(200);
    await journey.signOut();
    await journey.signIn('inspector');
    const item = page.getByTestId('todo-item').filter({ hasText: title });
    // The sign-in's own landing on 待办 is over before the page is loaded again.
    await page.locator('[data-testid=todo], [data-testid=todo-empty]').first().waitFor();
    await eventually(async () => {
      await page.reload();
      await page.locator('[data-testid=todo], [data-testid=todo-empty]').first().waitFor();
      return (await item.count()) === 1 ? true : undefined;
    }, 30_000);
    expect(await item.getAttribute('data-kind')).toBe('verify');
    const before = await badge(journey);
    await item.click();
    await page.waitForURL(`**/tasks/${taskId}`);
    await page.locator('input[name=verifyNote]').fill('现场核查，同意销号');
    await journey.check('task-to-verify');
    await page.getByTestId('verify').click();
    await badgeBecomes(journey, before - 1);
    expect(journey.problems).toEqual([]);
  });
});
