import { login } from '../support/http-client';
import { browserSession, PHONE } from '../support/browser';

/**
 * The cockpit on a leader's phone (390×844), where it is read between meetings: the running campaign's ring, its
 * rankings with laggards in red and its burndown all there, each chart within the screen's width, nothing wider than
 * the screen, and the campaign chosen and the as-of instant set by thumb.
 */
// A real browser on a shared machine: each step may take seconds.

describe('web app: leadership (领导驾驶舱), on a phone', () => {
  const session = browserSession('leader-phone', { context: PHONE });

  it('shows the campaign as the API counts it, every chart within the width of the screen', async () => {
    const { journey } = session;
    const { page } = journey;
    await journey.signIn('leader');
    await page.getByTestId('campaign-name').first().waitFor();
    for (const chart of ['ring-chart', 'burndown-chart', 'summary-chart', 'region-chart', 'unit-chart'])
      await page.getByTestId(chart).first().locator('canvas').waitFor();

    // The figures of the campaign chosen are the API's.
    const leader = await login(session.http, 'leader');
    const name = (await page.getByTestId('campaign-name').first().textContent())!.trim();
    const campaign = (await leader.get('/api/campaigns')).body.find((c: { name: string }) => c.name === name);
    expect(campaign).toBeDefined();
    const progress = (await leader.get(`/api/campaigns/${campaign.id}/progress`)).body;
    expect(await page.getByTestId('ring-figure').allTextContents()).toEqual(
      progress.quantities.map(
        (q: { done: number; target: number; unit: string }) => `${q.done} / ${q.target} ${q.unit}`,
      ),
    );

    // Nothing runs off the right edge: the page does not scroll sideways, and each chart and table fits the screen.
    const width = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document;
      return root.documentElement.scrollWidth;
    });
    expect(width).toBeLessThanOrEqual(390);
    for (const testId of ['ring-chart', 'burndown-chart', 'region-chart', 'unit-chart']) {
      const box = (await page.getByTestId(testId).first().boundingBox())!;
      expect([testId, box.x >= 0 && box.x + box.width <= 390 + 0.5]).toEqual([testId, true]);
      expect(box.height).toBeGreaterThan(100);
    }
    for (const rows of ['unit-rank-row', 'region-row']) {
      const row = page.getByTestId(rows).first();
      await row.waitFor();
      const box = (await row.boundingBox())!;
      expect([rows, box.x + box.width <= 390 + 0.5]).toEqual([rows, true]);
    }

    // The controls are reachable by thumb: the campaign and the as-of instant, each at least 40 px tall.
    for (const control of ['campaign', 'as-of-now']) {
      const box = (await page.getByTestId(control).first().boundingBox())!;
      expect([control, box.height >= 40 || box.width >= 40]).toEqual([control, true]);
    }
    // Let the charts finish their entrance animation before the picture.
    await page.waitForTimeout(1200);
    await journey.shot('cockpit-phone');
    expect(journey.problems).toEqual([]);
  });
});
