import { randomUUID } from 'node:crypto';
import { browserSession, JourneySetUp } from '../support/browser';
import { eventually, login } from '../support/http-client';

/** The admin in real Chromium: the directory (regions, units, accounts) and the settings (digest, weekly bulletins). */
// A real browser on a shared machine: each step may take seconds.

describe('web app: the admin (管理员)', () => {
  // What users run: the built all-in-one process (dist/), not the sources.
  const session = browserSession('admin', { setUp: recordDeliveries });

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

  it('sets the time of the daily digest (每日督办简报时间): the default until set, then the time saved', async () => {
    const { page } = session.journey;
    const digest = page.getByTestId('digest-time');
    await digest.getByText('（系统默认）').waitFor();
    expect(await digest.locator('input[name=time]').inputValue()).toBe('08:30');
    await digest.locator('input[name=time]').fill('07:15');
    await digest.getByRole('button', { name: '保存' }).click();
    await digest.getByText('已保存').waitFor();
    await digest.getByText('（系统默认）').waitFor({ state: 'detached' });
    await session.journey.check('digest-time-saved');
    await page.reload();
    await page.getByTestId('digest-time').getByText('每日督办简报时间').first().waitFor();
    // The value the app put in the input once it read the setting (the page's policy allows no evaluated strings).
    const time = page.getByTestId('digest-time').locator('input[name=time]');
    await eventually(async () => ((await time.inputValue()) === '07:15' ? true : undefined), 15_000);
    expect(session.journey.problems).toEqual([]);
  });

  it('sets up a weekly bulletin (每周情况通报) of 阜南县 every Monday 09:00, lists it in Chinese, and deletes it', async () => {
    const { journey, http } = session;
    const { page } = journey;
    const admin = await login(http, 'admin');
    const regions: Array<{ id: string; name: string }> = (await admin.get('/api/regions')).body;
    const campaigns: Array<{ id: string; name: string }> = (await admin.get('/api/campaigns')).body;
    const funan = regions.find((r) => r.name === '阜南县')!.id;
    const housing = campaigns.find((c) => c.name === '危房改造清零')!.id;
    const schedules = page.getByTestId('bulletin-schedules');
    await schedules.getByTestId('bulletin-schedules-empty').waitFor();

    const form = schedules.getByTestId('add-bulletin-schedule');
    await form.locator('select[name=regionId]').selectOption({ label: '\u3000阜南县' });
    await form.locator('select[name=campaignId]').selectOption({ label: '危房改造清零' });
    await form.locator('select[name=weekday]').selectOption({ label: '周一' });
    await form.locator('input[name=time]').fill('09:00');
    // A region gone meanwhile (the request says one the server does not know): refused under the region chosen.
    const post = '**/api/settings/bulletins';
    await page.route(post, (route) =>
      route.continue({
        postData: JSON.stringify({
          ...JSON.parse(route.request().postData() ?? '{}'),
          regionId: '00000000-0000-4000-8000-000000000000',
        }),
      }),
    );
    await form.getByTestId('bulletin-schedule-add').click();
    const error = form.getByTestId('field-error');
    await error.filter({ hasText: '所选地区已不存在' }).waitFor();
    expect(await form.locator('select[name=regionId]').getAttribute('aria-invalid')).toBe('true');
    await journey.check('bulletin-schedule-refused');
    expect(journey.problems.splice(0)).toEqual(['400 POST /api/settings/bulletins']);
    await page.unroute(post);

    await form.getByTestId('bulletin-schedule-add').click();
    const row = schedules.getByTestId('bulletin-schedule');
    await row.filter({ hasText: '阜南县 · 危房改造清零 · 每周一 09:00' }).waitFor();
    expect(await error.count()).toBe(0);
    await journey.shot('bulletin-schedule-set');
    expect((await admin.get('/api/settings/bulletins')).body).toEqual([
      { scheduleId: expect.any(String), regionId: funan, campaignId: housing, weekday: 1, time: '09:00' },
    ]);

    await row.getByTestId('bulletin-schedule-remove').click();
    const confirm = page.getByTestId('confirm-remove-schedule');
    await confirm.getByText('阜南县 · 危房改造清零 · 每周一 09:00').waitFor();
    await journey.check('bulletin-schedule-confirm');
    await page.getByTestId('confirm-remove-schedule-yes').click();
    await schedules.getByTestId('bulletin-schedules-empty').waitFor();
    expect((await admin.get('/api/settings/bulletins')).body).toEqual([]);
    expect(journey.problems).toEqual([]);
  });

  it(
    'adds a county, a unit in it, a category and an inspector limited to ' + 'the county, then disables the account',
    async () => {
      const { journey, http } = session;
      const { page } = journey;
      const region = page.getByTestId('add-region');
      await region.locator('select[name=parentId]').selectOption({ label: '阜阳市' });
      await region.locator('input[name=code]').fill('341222');
      await region.locator('input[name=name]').fill('太和县');
      await region.getByRole('button').click();
      await page.getByTestId('regions').locator('li', { hasText: '太和县' }).waitFor();

      const unit = page.getByTestId('add-unit');
      await unit.locator('input[name=name]').fill('太和县委督查室');
      await unit.locator('select[name=regionId]').selectOption({ label: '\u3000太和县' });
      await unit.getByRole('button').click();
      await page.getByTestId('units').locator('li', { hasText: '太和县委督查室' }).waitFor();

      const category = page.getByTestId('add-category');
      await category.locator('input[name=code]').fill('toilets');
      await category.locator('input[name=name]').fill('厕所革命');
      await category.getByRole('button').click();
      await page.getByTestId('categories').getByText('厕所革命').waitFor();

      const user = page.getByTestId('add-user');
      await user.locator('input[name=username]').fill('taihe-inspector');
      await user.locator('input[name=displayName]').fill('太和县督查员');
      await user.locator('select[name=role]').selectOption('inspector');
      await user.locator('select[name=unitId]').selectOption({ label: '太和县委督查室' });
      await user.locator('select[name=regionScopeId]').selectOption({ label: '\u3000太和县' });
      await user.locator('input[name=password]').fill('Taihe-inspects-2026');
      await page.getByTestId('add-user-submit').click();
      await page.getByTestId('toggle-taihe-inspector').waitFor();
      await journey.shot('directory-added');

      const token = (
        await http.post('/api/auth/login', { username: 'taihe-inspector', password: 'Taihe-inspects-2026' })
      ).body.accessToken as string;
      const me = (await http.as(token).get('/api/auth/me')).body;
      const regions = (await http.as(token).get('/api/regions')).body.map((r: { name: string }) => r.name);
      expect(me).toMatchObject({ role: 'inspector', regionScopeId: expect.any(String) });
      expect(regions).toContain('太和县');
      expect(regions).not.toContain('阜南县');

      await page.getByTestId('toggle-taihe-inspector').click();
      await page.getByTestId('toggle-taihe-inspector').getByText('启用').waitFor();
      expect(
        (await http.post('/api/auth/login', { username: 'taihe-inspector', password: 'Taihe-inspects-2026' })).status,
      ).toBe(401);
      expect(journey.problems).toEqual([]);
    },
  );

  it("sets a unit's message channels (消息渠道): a robot shown masked, an e-mail quiet at night, one removed", async () => {
    const { journey, http } = session;
    const { page } = journey;
    // 太和县委督查室, added above, has no task: nothing is sent to these addresses while the test runs.
    const channels = page.getByTestId('unit-channels');
    await channels.locator('select[name=channelsUnitId]').selectOption({ label: '太和县委督查室' });
    await channels.getByTestId('no-channels').waitFor();

    const form = channels.getByTestId('add-channel');
    await form.locator('select[name=type]').selectOption({ label: '钉钉群机器人' });
    await form.locator('input[name=url]').fill('http://127.0.0.1:9/robot/send?access_token=TAIHE-ROBOT-TOKEN');
    await form.locator('input[name=secret]').fill('SEC-TAIHE');
    await form.getByLabel('全部消息').uncheck();
    await form.getByLabel('新交办的任务').check();
    await form.getByLabel('催办、督办升级').check();
    await channels.getByTestId('add-channel-submit').click();
    const rows = channels.getByTestId('channel');
    await rows.first().waitFor();
    const robot = rows.filter({ hasText: '钉钉群机器人' });
    await robot.getByText('http://127.0.0.1:9/robot/send?…').waitFor();
    await robot.getByText('（已加签）').waitFor();
    await robot.getByText('催办、督办升级、新交办的任务').waitFor();

    // An e-mail address for the unit's head, quiet at night; the robot is kept as it was (its token never shown).
    await form.locator('select[name=type]').selectOption({ label: '邮件' });
    await form.locator('input[name=address]').fill('duchashi@taihe.gov.cn');
    await form.locator('select[name=audience]').selectOption({ label: '单位负责人' });
    await form.getByLabel('免打扰时段').check();
    await form.locator('input[name=quietFrom]').fill('22:00');
    await form.locator('input[name=quietTo]').fill('07:00');
    await channels.getByTestId('add-channel-submit').click();
    await rows.filter({ hasText: 'duchashi@taihe.gov.cn' }).getByText('（免打扰时段 22:00–07:00）').waitFor();
    expect(await rows.count()).toBe(2);
    expect(await page.content()).not.toContain('TAIHE-ROBOT-TOKEN');
    await journey.check('unit-channels');
    await channels.scrollIntoViewIfNeeded();
    await journey.shot('unit-channels');

    const admin = await login(http, 'admin');
    const units: Array<{ id: string; name: string }> = (await admin.get('/api/units')).body;
    const taihe = units.find((u) => u.name === '太和县委督查室')!.id;
    expect((await admin.get(`/api/units/${taihe}/channels`)).body.channels).toMatchObject([
      { kind: 'webhook', format: 'dingtalk', secret: '***', takes: ['escalation', 'assigned'], audience: 'unit' },
      { kind: 'email', address: 'duchashi@taihe.gov.cn', audience: 'head', quietHours: { from: '22:00', to: '07:00' } },
    ]);

    await robot.getByTestId('remove-channel').click();
    await robot.waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(1);
    expect((await admin.get(`/api/units/${taihe}/channels`)).body.channels).toMatchObject([
      { kind: 'email', address: 'duchashi@taihe.gov.cn' },
    ]);
    expect(journey.problems).toEqual([]);
  });

  it("resets a colleague's forgotten password, widens its jurisdiction, and changes a unit's head", async () => {
    const { journey, http } = session;
    const { page } = journey;
    const users = page.getByTestId('users');
    await page.getByTestId('toggle-taihe-inspector').click();
    await page.getByTestId('toggle-taihe-inspector').getByText('停用').waitFor();
    await page.getByTestId('edit-taihe-inspector').click();
    const edit = users.getByTestId('edit-user');
    expect(await edit.locator('input[name=editDisplayName]').inputValue()).toBe('太和县督查员');
    await edit.locator('input[name=editDisplayName]').fill('太和县委督查室 督查员');
    await edit.locator('select[name=editRegionScopeId]').selectOption({ label: '全部地区' });
    await edit.getByTestId('save-user').click();
    await users.locator('tr', { hasText: '太和县委督查室 督查员' }).waitFor();

    // Refused (it holds the username): said in Chinese under the field typed in.
    await edit.locator('input[name=resetPassword]').fill('Taihe-inspector-2027');
    await edit.getByTestId('reset-password-submit').click();
    await edit.getByTestId('reset-password').getByTestId('field-error').getByText('密码不够安全').waitFor();
    expect(journey.problems.splice(0)).toEqual([
      expect.stringMatching(/^400 POST \/api\/users\/[0-9a-f-]+\/password$/),
    ]);
    await edit.locator('input[name=resetPassword]').fill('Taihe-remembers-2027');
    await edit.getByTestId('reset-password-submit').click();
    await edit.getByText('密码已重置，该账号须用新密码登录').waitFor();
    await journey.check('user-edited');
    const signIn = (password: string) => http.post('/api/auth/login', { username: 'taihe-inspector', password });
    expect((await signIn('Taihe-inspects-2026')).status).toBe(401);
    const signedIn = await signIn('Taihe-remembers-2027');
    expect(signedIn.status).toBe(200);
    const me = (await http.as(signedIn.body.accessToken as string).get('/api/auth/me')).body;
    expect(me).toMatchObject({ displayName: '太和县委督查室 督查员', role: 'inspector', regionScopeId: null });

    await page.getByTestId('edit-unit-太和县委督查室').click();
    const unit = page.getByTestId('edit-unit');
    await unit.locator('input[name=unitHeadName]').fill('主任');
    await unit.locator('input[name=unitContact]').fill('0558-8888888');
    await unit.getByRole('button', { name: '保存' }).click();
    await unit.getByText('已保存').waitFor();
    const admin = await login(http, 'admin');
    const units: Array<{ id: string; name: string }> = (await admin.get('/api/units')).body;
    const taihe = units.find((u) => u.name === '太和县委督查室')!.id;
    expect((await admin.get(`/api/units/${taihe}`)).body).toMatchObject({ headName: '主任', contact: '0558-8888888' });
    expect(journey.problems).toEqual([]);
  });

  it('renames a category and a region, their codes kept', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('rename-category-toilets').click();
    const categories = page.getByTestId('categories');
    await categories.getByText('改名：厕所革命').waitFor();
    await categories.locator('input[name=newName]').fill('农村厕所革命');
    await categories.getByRole('button', { name: '保存' }).click();
    await categories.locator('li', { hasText: '农村厕所革命' }).getByText('toilets').waitFor();

    await page.getByTestId('rename-region-太和县').click();
    const regions = page.getByTestId('regions');
    await regions.locator('input[name=newName]').fill('太和县（试点）');
    await regions.getByRole('button', { name: '保存' }).click();
    await regions.locator('li', { hasText: '太和县（试点）' }).getByText('341222').waitFor();
    await journey.check('renamed');
    expect(journey.problems).toEqual([]);
  });

  it('gives a campaign a reminder ladder of its own (催办规则): from the default, one level moved, one added', async () => {
    const { journey, http } = session;
    const { page } = journey;
    const ladders = page.getByTestId('reminder-ladders');
    const levels = ladders.getByTestId('ladder-level');
    await ladders.getByTestId('ladder-version').getByText('现行第 1 版').waitFor();
    expect(await levels.count()).toBe(5);
    expect(await levels.first().locator('input[name="levels[0].label"]').inputValue()).toBe('提醒');

    await ladders
      .locator('select[name=ladder]')
      .selectOption({ label: '危房改造清零（沿用默认规则，可设置专门规则）' });
    expect(await ladders.locator('input[name=ladderName]').inputValue()).toBe('危房改造清零催办规则');
    await ladders.locator('input[name="levels[0].days"]').fill('5');
    await ladders.getByTestId('add-level').click();
    const added = levels.nth(5);
    await added.locator('input[name="levels[5].label"]').fill('约谈');
    await added.locator('input[name="levels[5].days"]').fill('14');
    await added.locator('input[name="levels[5].hourOfDay"]').fill('10');
    await added.getByLabel('单位负责人').uncheck();
    await added.getByLabel('领导班子').check();
    await ladders.getByTestId('save-ladder').click();
    await ladders.getByText('已保存为第 1 版，此后交办的任务按此规则提醒').waitFor();
    await journey.check('reminder-ladder');
    await journey.shot('reminder-ladder');

    const admin = await login(http, 'admin');
    const campaigns: Array<{ id: string; name: string }> = (await admin.get('/api/campaigns')).body;
    const housing = campaigns.find((c) => c.name === '危房改造清零')!.id;
    const policies: Array<{ id: string; version: number; name: string; levels: unknown[] }> = (
      await admin.get('/api/reminder-policies')
    ).body;
    const own = policies.find((p) => p.id === housing)!;
    expect(own).toMatchObject({ version: 1, name: '危房改造清零催办规则' });
    expect(own.levels).toHaveLength(6);
    expect(own.levels[0]).toMatchObject({
      level: 'reminder',
      offset: { days: -5, hourOfDay: 9 },
      recipients: ['unit'],
    });
    expect(own.levels[5]).toEqual({
      level: 'level_6',
      label: '约谈',
      kind: 'escalation',
      offset: { days: 14, hourOfDay: 10 },
      recipients: ['leadership'],
    });
    // The default ladder is as it was.
    expect(policies.find((p) => p.id === 'default')).toMatchObject({ version: 1 });
    expect(journey.problems).toEqual([]);
  });

  it('lists the messages that did not arrive, says why in Chinese, and sends one again (消息投递记录)', async () => {
    const { journey } = session;
    const { page } = journey;
    await page.getByTestId('nav').getByRole('link', { name: '消息投递' }).click();
    const rows = page.getByTestId('deliveries').getByTestId('delivery');
    await rows.first().waitFor();
    // Failed first: each with its channel, what it was, and why, in a sentence.
    expect(await rows.count()).toBe(3);
    const reasons = await page.getByTestId('delivery-reason').allTextContents();
    expect(reasons.sort()).toEqual(
      [
        '对方服务器返回错误，状态码 502',
        '对方在规定时间内没有应答（10 秒）',
        '机器人拒收了这条消息，请检查机器人的安全设置（自定义关键词、加签或地址段限制）。对方说明：关键词不匹配',
      ].sort(),
    );
    await page.getByTestId('deliveries').getByText('钉钉群机器人').first().waitFor();
    await journey.check('deliveries-failed');

    await rows.filter({ hasText: '状态码 502' }).getByTestId('delivery-retry').click();
    await rows.filter({ hasText: '状态码 502' }).getByText('已重新排入发送').waitFor();
    // Back in line: listed as pending, no longer as failed.
    await page.getByTestId('delivery-filters').getByRole('button', { name: '待发送' }).click();
    await page.getByTestId('deliveries').getByText('对方服务器返回错误，状态码 502').waitFor();
    await page.getByTestId('delivery-filters').getByRole('button', { name: '已送达' }).click();
    await page.getByTestId('deliveries').getByText('已送达').first().waitFor();
    await page.getByTestId('deliveries').getByText('邮件 · zhangsan@funan.gov.cn').first().waitFor();
    await journey.check('deliveries-delivered');
    // 201 delivered: a page of 200, newest first, then 加载更多 brings the oldest, and nothing is left to load.
    await page.getByTestId('load-more').waitFor();
    expect(await rows.count()).toBe(200);
    await page.getByTestId('load-more').click();
    await rows.nth(200).waitFor();
    expect(await rows.count()).toBe(201);
    await page.getByTestId('more-tasks').waitFor({ state: 'detached' });
    expect(journey.problems).toEqual([]);
  });

  it('refuses a wrong password and serves the app for any client route, but never for /api', async () => {
    const { journey, http } = session;
    const { page } = journey;
    await page.getByTestId('logout').click();
    // The directory page has username and password fields too: fill the sign-in form's, once the sign-out is done.
    const form = page.getByTestId('login-form');
    await form.locator('input[name=username]').fill('admin');
    await form.locator('input[name=password]').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await journey.check('wrong-password');

    const route = await fetch(`${http.baseUrl}/cockpit`);
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toContain('text/html');
    expect(route.headers.get('content-security-policy')).toContain("script-src 'self'");
    const api = await fetch(`${http.baseUrl}/api/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${http.baseUrl}/assets/missing.js`)).status).toBe(404);
  });
});

/**
 * The ledger as a worker leaves it: three messages that failed for good (each its own reason) and one delivered, and
 * 200 delivered the day before.
 */
async function recordDeliveries(app: JourneySetUp): Promise<void> {
  const admin = await login(app.http, 'admin');
  const tasks: Array<{ id: string; title: string }> = (await admin.get('/api/tasks?pageSize=1')).body.items;
  const task = tasks[0]!;
  const robot = { kind: 'webhook', url: 'https://oapi.dingtalk.com/robot/send?access_token=t0k3n', format: 'dingtalk' };
  const mail = { kind: 'email', address: 'zhangsan@funan.gov.cn' };
  const sent = [
    { id: 'browser:502', address: robot, error: 'webhook dingtalk robot answered HTTP 502: Bad Gateway' },
    { id: 'browser:slow', address: robot, error: 'webhook dingtalk robot failed: no answer within 10000 ms' },
    { id: 'browser:keyword', address: robot, error: 'webhook dingtalk robot refused the message: 关键词不匹配' },
    { id: 'browser:ok', address: mail, error: null },
  ];
  await app.withInfrastructure(async (infra) => {
    await infra.deliveries.record(
      sent.map(({ id, address }) => ({
        id,
        eventId: randomUUID(),
        taskId: task.id,
        reminderId: 'urge',
        address: address as never,
        message: {
          taskId: task.id,
          taskTitle: task.title,
          level: 'urge',
          levelLabel: '催办',
          kind: 'reminder',
        } as never,
        batch: `browser-${id}`,
      })),
    );
    const failed = sent.filter((d) => d.error).map((d) => ({ id: d.id, error: d.error! }));
    await infra.deliveries.markAttemptsFailed(failed, true);
    await infra.deliveries.markDelivered('browser:ok');
    // A day before: 200 reminders delivered, more than a page of the ledger holds.
    const older = Array.from({ length: 200 }, (_, i) => `browser:older-${String(i).padStart(3, '0')}`);
    await infra.deliveries.record(
      older.map((id) => ({
        id,
        eventId: randomUUID(),
        taskId: task.id,
        reminderId: 'reminder',
        address: mail as never,
        message: {
          taskId: task.id,
          taskTitle: task.title,
          level: 'reminder',
          levelLabel: '提醒',
          kind: 'reminder',
        } as never,
        batch: 'browser-older',
      })),
    );
    await Promise.all(older.map((id) => infra.deliveries.markDelivered(id)));
    await infra.pool.query(
      `UPDATE deliveries SET created_at = created_at - interval '1 day' WHERE batch = 'browser-older'`,
    );
  });
}
