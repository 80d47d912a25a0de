import { browserSession } from '../support/browser';

/** The admin in real Chromium: the directory (regions, units, accounts). */
// A real browser on a shared machine: each step may take seconds.
jest.setTimeout(60_000);

describe('web app: the admin (管理员)', () => {
  const session = browserSession('admin');

  it('signs in to the directory: the region tree, the units and the accounts', async () => {
    const { journey } = session;
    const { page } = journey;
    await journey.signIn('admin');
    await page.getByTestId('regions').getByText('蔡郢村').waitFor();
    await page.getByTestId('units').getByText('阜南县住房和城乡建设局').waitFor();
    await page.getByTestId('users').getByText('inspector', { exact: true }).waitFor();
    await page.getByTestId('categories').getByText('危房改造').waitFor();
    await journey.shot('directory');
    expect(journey.problems).toEqual([]);
  });

  it('refuses a wrong password and serves the app for any client route, but never for /api', async () => {
    const { journey, app } = session;
    const { page } = journey;
    await page.getByTestId('logout').click();
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();

    const route = await fetch(`${app.http.baseUrl}/cockpit`);
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toContain('text/html');
    expect(route.headers.get('content-security-policy')).toContain("script-src 'self'");
    const api = await fetch(`${app.http.baseUrl}/api/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${app.http.baseUrl}/assets/missing.js`)).status).toBe(404);
  });
});
