import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/http-client';
import { browserSession } from '../support/browser';

/**
 * Leadership's cockpit in real Chromium: campaign burndown, lights by region and unit, overdue, scoreboard, history,
 * as-of.
 */
// A real browser on a shared machine: each step may take seconds.

describe('web app: leadership (领导驾驶舱)', () => {
  const session = browserSession('leader');

  it(
    'shows the campaign, its burndown, the lights by region and by unit, ' + 'the overdue list and the scoreboard',
    async () => {
      const { journey } = session;
      const { page } = journey;
      await journey.signIn('leader');
      await page.getByTestId('campaign-progress').getByText('危房改造清零').waitFor();
      for (const chart of ['burndown-chart', 'summary-chart', 'region-chart', 'unit-chart'])
        await page.getByTestId(chart).locator('canvas').waitFor();
      // The city's task to 阜南县, its three towns' shares and two villages' (逐级分解).
      expect(await page.getByTestId('kpi-tasks').textContent()).toBe('6');
      await page.getByTestId('overdue-list').getByTestId('task-card').first().waitFor();
      expect(await page.getByTestId('scoreboard-row').filter({ hasText: '王堰镇人民政府' }).count()).toBe(1);
      // Let the charts finish their entrance animation before the picture.
      await page.waitForTimeout(1200);
      await journey.shot('cockpit');
    },
  );

  it('opens an overdue task: its full history as a timeline, and the hash chain checked', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('overdue-list').getByTestId('task-card').first().click();
    await page.getByTestId('timeline-entry').first().waitFor();
    expect(await page.getByTestId('timeline-entry').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('accept').count()).toBe(0);
    await page.getByTestId('verify-chain').click();
    await page.getByTestId('chain-result').filter({ hasText: '哈希链完整' }).waitFor();
    await journey.shot('task-history');
    await page.goBack();
  });

  it('shows the cockpit as it stood at the dangerous-housing deadline (as-of)', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('as-of-campaign-deadline').click();
    await page.getByTestId('as-of-label').filter({ hasText: '2018-09-30' }).waitFor();
    // On 30 September 2018: 王堰镇 (with 蔡郢村) and 曹集镇 signed off, 王家坝镇 and its 王家坝村 still open, and so
    // the county's task: 181 of 313 households checked and counted at the top (86 + 95).
    await eventually(async () => ((await page.getByTestId('kpi-closed').textContent()) === '3' ? true : undefined));
    expect(await page.getByTestId('kpi-open').textContent()).toBe('3');
    expect(await page.getByTestId('kpi-quantity').textContent()).toBe('181 / 313');
    await page.waitForTimeout(1200);
    // The README shows this one: `UPDATE_SCREENSHOTS=1 npx jest test/browser/leader` renews docs/cockpit.png.
    const shot = await journey.shot('cockpit-as-of-2018-09-30');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(join(__dirname, '../../docs'), { recursive: true });
      copyFileSync(shot, join(__dirname, '../../docs/cockpit.png'));
    }
    expect(journey.problems).toEqual([]);
  });
});
