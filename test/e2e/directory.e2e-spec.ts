import { decideAndAppend } from '@zhenggai/application';
import { SYSTEM_ACTOR, unitDecider, unitStreamName } from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import { eventually, HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, storedEvents, TestApp } from '../support/test-app';

/**
 * The directory as events (issue 5): regions, units, categories and users, managed by an admin, every change in
 * history.
 */
describe('the directory', () => {
  let app: TestApp;
  let admin: HttpClient;

  const eventsOf = (streamName: string) => app.infra.eventStore.readStream(streamName);

  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_USERNAME: 'ops-admin', ADMIN_PASSWORD: 'a-long-admin-password' } });
    const { ensureInitialAdmin } = await import('@zhenggai/platform');
    await ensureInitialAdmin(app.infra);
    admin = await login(app.http, 'ops-admin', 'a-long-admin-password');
  });
  afterAll(() => app?.close());

  const signIn = (username: string, password: string) => app.http.post('/api/auth/login', { username, password });

  it('builds the tree 市 › 县 › 乡镇 › 村 with administrative codes, each region an event of its own stream', async () => {
    const city = await admin.post('/api/regions', { code: '341200', name: '阜阳市', level: 'city' });
    expect(city.status).toBe(201);
    expect(city.body).toMatchObject({
      code: '341200',
      level: 'city',
      parentId: null,
      path: [city.body.id],
      revision: 0,
    });
    expect(city.headers.get('etag')).toBe('"0"');
    const county = await admin.post('/api/regions', {
      code: '341225',
      name: '阜南县',
      level: 'county',
      parentId: city.body.id,
    });
    const town = await admin.post('/api/regions', {
      code: '341225113',
      name: '王堰镇',
      level: 'town',
      parentId: county.body.id,
    });
    expect(town.body.path).toEqual([city.body.id, county.body.id, town.body.id]);

    expect(
      (await admin.post('/api/regions', { code: '341225', name: '重复', level: 'county', parentId: city.body.id }))
        .body,
    ).toMatchObject({ status: 409, field: 'code' });
    expect(
      (
        await admin.post('/api/regions', {
          code: '341225113201',
          name: '蔡郢村',
          level: 'village',
          parentId: county.body.id,
        })
      ).body,
    ).toMatchObject({ status: 422, field: 'level' });
    expect(
      (await admin.post('/api/regions', { code: '341226113', name: '错码镇', level: 'town', parentId: county.body.id }))
        .body,
    ).toMatchObject({ status: 400, field: 'code' });
    expect(
      (await admin.post('/api/regions', { code: '341225114', name: '无上级', level: 'town', parentId: randomUUID() }))
        .body,
    ).toMatchObject({ status: 400, field: 'parentId' });

    const renamed = await admin.patch(`/api/regions/${town.body.id}`, { name: '王堰镇（新）' }, { 'If-Match': '"0"' });
    expect(renamed.body).toMatchObject({ name: '王堰镇（新）', revision: 1 });
    expect((await admin.patch(`/api/regions/${town.body.id}`, { name: '又改' }, { 'If-Match': '"0"' })).status).toBe(
      412,
    );
    const history = await eventsOf(`region-${town.body.id}`);
    expect(history.map((e) => e.type)).toEqual(['RegionCreated', 'RegionRenamed']);
    expect(history[1].data).toMatchObject({ name: '王堰镇（新）', previousName: '王堰镇' });
    expect(history[1].metadata.actor).toMatchObject({ username: 'ops-admin', role: 'admin' });
  });

  it('registers units, categories and users; only an admin does, and the audit shows every change', async () => {
    const [city] = (await admin.get('/api/regions')).body;
    const unit = await admin.post('/api/units', { name: '阜阳市委督查组', regionId: city.id, headName: '组长' });
    expect(unit.status).toBe(201);
    expect((await admin.post('/api/units', { name: '阜阳市委督查组', regionId: city.id })).body).toMatchObject({
      status: 409,
      field: 'name',
    });
    const changed = await admin.patch(`/api/units/${unit.body.id}`, {
      name: '阜阳市委督查组',
      headName: '新组长',
      contact: '0558-1234567',
    });
    expect(changed.body).toMatchObject({ headName: '新组长', contact: '0558-1234567', revision: 1 });
    const channels = await admin.request(
      'PUT',
      `/api/units/${unit.body.id}/channels`,
      {
        channels: [
          {
            kind: 'webhook',
            format: 'dingtalk',
            url: 'https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN',
            secret: 'SEC-SIGN',
            audience: 'head',
          },
        ],
      },
      {},
    );
    expect(channels.status).toBe(200);
    const unitHistory = await eventsOf(`unit-${unit.body.id}`);
    expect(unitHistory.map((e) => e.type)).toEqual(['UnitRegistered', 'UnitDetailsChanged', 'UnitChannelsChanged']);
    const recorded = JSON.stringify(unitHistory.map((e) => [e.data, e.metadata]));
    expect(recorded).toContain('oapi.dingtalk.com');
    expect(recorded).not.toContain('SECRET-TOKEN');
    expect(recorded).not.toContain('SEC-SIGN');

    const category = await admin.post('/api/categories', { code: 'dangerous-housing', name: '危房改造' });
    expect(category.body).toMatchObject({ code: 'dangerous-housing', name: '危房改造', revision: 0 });
    expect((await admin.post('/api/categories', { code: 'dangerous-housing', name: '又一个' })).body).toMatchObject({
      status: 409,
      field: 'code',
    });
    expect((await admin.patch(`/api/categories/${category.body.id}`, { name: '农村危房改造' })).body).toMatchObject({
      code: 'dangerous-housing',
      name: '农村危房改造',
    });

    const user = await admin.post('/api/users', {
      username: 'li-inspector',
      displayName: '李督查',
      role: 'inspector',
      unitId: unit.body.id,
      regionScopeId: city.id,
      password: 'another-long-password',
    });
    expect(user.body).toMatchObject({
      username: 'li-inspector',
      role: 'inspector',
      regionScopeId: city.id,
      disabled: false,
      revision: 0,
    });
    expect(
      (
        await admin.post('/api/users', {
          username: 'li-inspector',
          displayName: '重复',
          role: 'leader',
          password: 'another-long-password',
        })
      ).body,
    ).toMatchObject({ status: 409, field: 'username' });
    expect(
      (
        await admin.post('/api/users', {
          username: 'unit-no-unit',
          displayName: '无单位',
          role: 'unit',
          password: 'another-long-password',
        })
      ).body,
    ).toMatchObject({ status: 400, field: 'unitId' });
    expect(
      (
        await admin.post('/api/users', {
          username: 'lost-scope',
          displayName: '无效范围',
          role: 'leader',
          regionScopeId: randomUUID(),
          password: 'another-long-password',
        })
      ).body,
    ).toMatchObject({ status: 400, field: 'regionScopeId' });

    const inspector = await login(app.http, 'li-inspector', 'another-long-password');
    expect(
      (await inspector.post('/api/regions', { code: '341221', name: '临泉县', level: 'county', parentId: city.id }))
        .status,
    ).toBe(403);
    expect((await inspector.post('/api/categories', { code: 'roads', name: '道路' })).status).toBe(403);
    expect((await inspector.get('/api/users')).status).toBe(403);
    expect((await inspector.get('/api/categories')).body.map((c: { code: string }) => c.code)).toEqual([
      'dangerous-housing',
    ]);

    await readModelsCaughtUp(app);
    const audit = (await admin.get('/api/audit?actor=ops-admin&pageSize=100')).body.items.map(
      (e: { type: string }) => e.type,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        'RegionCreated',
        'RegionRenamed',
        'UnitRegistered',
        'UnitDetailsChanged',
        'UnitChannelsChanged',
        'CategoryDefined',
        'CategoryRenamed',
        'UserRegistered',
      ]),
    );
  });

  it(
    "changing a user's reach ends its sessions; a password set by an admin " + 'is recorded, never stored in history',
    async () => {
      const regions = (await admin.get('/api/regions')).body as Array<{ id: string; level: string }>;
      const county = regions.find((r) => r.level === 'county')!;
      const otherCounty = await admin.post('/api/regions', {
        code: '341221',
        name: '临泉县',
        level: 'county',
        parentId: regions.find((r) => r.level === 'city')!.id,
      });
      const user = (await admin.get('/api/users')).body.find(
        (u: { username: string }) => u.username === 'li-inspector',
      );
      const before = await login(app.http, 'li-inspector', 'another-long-password');
      expect((await before.get('/api/auth/me')).status).toBe(200);

      const narrowed = await admin.patch(`/api/users/${user.id}`, {
        displayName: '李督查',
        role: 'inspector',
        unitId: user.unitId,
        regionScopeId: county.id,
      });
      expect(narrowed.body).toMatchObject({ regionScopeId: county.id });
      expect((await before.get('/api/auth/me')).status).toBe(401);
      const after = await login(app.http, 'li-inspector', 'another-long-password');
      const visible = (await after.get('/api/regions')).body.map((r: { id: string }) => r.id);
      expect(visible).toContain(county.id);
      expect(visible).not.toContain(otherCounty.body.id);
      expect((await after.get('/api/auth/me')).body).toMatchObject({ regionScopeId: county.id });

      const reset = await admin.post(`/api/users/${user.id}/password`, { password: 'a-brand-new-password-7' });
      expect(reset.status).toBe(200);
      expect((await after.get('/api/auth/me')).status).toBe(401);
      expect(
        (await app.http.post('/api/auth/login', { username: 'li-inspector', password: 'another-long-password' }))
          .status,
      ).toBe(401);
      await login(app.http, 'li-inspector', 'a-brand-new-password-7');
      const history = await eventsOf(`user-${user.id}`);
      expect(history.map((e) => e.type)).toEqual(['UserRegistered', 'UserAccessChanged', 'UserPasswordChanged']);
      const everything = JSON.stringify((await storedEvents(app)).map((e) => [e.data, e.metadata]));
      expect(everything).not.toContain('a-brand-new-password-7');
      expect(everything).not.toContain('scrypt');

      expect((await admin.post(`/api/users/${user.id}/disable`)).body).toMatchObject({ disabled: true });
      expect((await eventsOf(`user-${user.id}`)).map((e) => e.type).pop()).toBe('UserDisabled');
      const self = (await admin.get('/api/auth/me')).body;
      expect((await admin.post(`/api/users/${self.id}/disable`)).body).toMatchObject({
        status: 422,
        code: 'SELF_DISABLE',
      });
    },
  );

  it(
    'a user changes its own password: the current one is required, history ' + 'records it, every other session ends',
    async () => {
      const [city] = (await admin.get('/api/regions')).body;
      const office = await admin.post('/api/units', { name: '曹集镇人民政府', regionId: city.id });
      expect(
        (
          await admin.post('/api/users', {
            username: 'wang-caoji',
            displayName: '王联络员',
            role: 'unit',
            unitId: office.body.id,
            password: 'Wang-first-password-2026',
          })
        ).status,
      ).toBe(201);
      const other = await login(app.http, 'wang-caoji', 'Wang-first-password-2026');
      const mine = await login(app.http, 'wang-caoji', 'Wang-first-password-2026');
      expect(
        (await mine.post('/api/auth/password', { currentPassword: 'not-it', newPassword: 'Wang-new-password-2026' }))
          .body,
      ).toMatchObject({
        status: 400,
        field: 'currentPassword',
      });
      expect(
        (await mine.post('/api/auth/password', { currentPassword: 'Wang-first-password-2026', newPassword: 'short' }))
          .body,
      ).toMatchObject({ status: 400, field: 'newPassword' });
      const changed = await mine.post('/api/auth/password', {
        currentPassword: 'Wang-first-password-2026',
        newPassword: 'Wang-new-password-2026',
      });
      expect(changed.status).toBe(200);
      expect(changed.body.accessToken).toEqual(expect.any(String));
      expect((await other.get('/api/auth/me')).status).toBe(401);
      expect((await app.http.as(changed.body.accessToken).get('/api/auth/me')).body).toMatchObject({
        username: 'wang-caoji',
      });
      expect((await signIn('wang-caoji', 'Wang-first-password-2026')).status).toBe(401);
      expect((await signIn('wang-caoji', 'Wang-new-password-2026')).status).toBe(200);
      const history = await app.infra.eventStore.readStream(`user-${changed.body.user.id}`);
      expect(history.map((e) => [e.type, e.data.by ?? null])).toContainEqual(['UserPasswordChanged', 'self']);
      expect(JSON.stringify(history.map((e) => e.data))).not.toContain('Wang-new-password-2026');
    },
  );

  it("changes a unit's channels from what an admin sees (masked, with refs), keeping tokens not shown", async () => {
    const [city] = (await admin.get('/api/regions')).body;
    const unit = (await admin.post('/api/units', { name: '阜阳市乡村振兴局', regionId: city.id })).body;
    const put = (channels: unknown[]) => admin.request<any>('PUT', `/api/units/${unit.id}/channels`, { channels }, {});
    const robot = {
      kind: 'webhook',
      format: 'dingtalk',
      url: 'https://oapi.dingtalk.com/robot/send?access_token=ROBOT-TOKEN',
      secret: 'SEC-ROBOT',
      audience: 'unit',
    };
    const mail = { kind: 'email', address: 'zhuren@example.cn', audience: 'head' };
    expect((await put([robot, mail])).status).toBe(200);

    // What the page sees: masked, each with a ref.
    const shown = (await admin.get(`/api/units/${unit.id}/channels`)).body.channels;
    expect(shown).toMatchObject([
      { kind: 'webhook', format: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?…', secret: '***' },
      { kind: 'email', address: 'zhuren@example.cn', audience: 'head' },
    ]);
    expect(JSON.stringify(shown)).not.toContain('ROBOT-TOKEN');
    expect(shown[0].ref).toMatch(/^[0-9a-f]{16}$/);

    // Kept by its ref with what it takes changed, the e-mail removed, a WeCom robot added.
    const wecom = { kind: 'webhook', format: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K3Y' };
    // Feishu's token is the last segment of the path: masked too, shown and in history.
    const feishu = {
      kind: 'webhook',
      format: 'feishu',
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/FEISHU-TOKEN',
    };
    const withFeishu = await put([{ ref: shown[0].ref }, feishu]);
    expect(withFeishu.body.channels[1].url).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/***');
    expect(JSON.stringify((await admin.get(`/api/units/${unit.id}/channels`)).body)).not.toContain('FEISHU-TOKEN');
    expect(JSON.stringify((await eventsOf(`unit-${unit.id}`)).map((e) => e.data))).not.toContain('FEISHU-TOKEN');
    const changed = await put([{ ref: shown[0].ref, takes: ['assigned', 'escalation'] }, wecom]);
    expect(changed.status).toBe(200);
    const stored = (await app.infra.directory.getUnit(unit.id, { stored: true }))!.channels;
    expect(stored).toEqual([
      { ...robot, takes: ['escalation', 'assigned'] },
      { ...wecom, secret: null, audience: 'unit', takes: null },
    ]);
    const history = await eventsOf(`unit-${unit.id}`);
    expect(history.map((e) => e.type)).toEqual([
      'UnitRegistered',
      'UnitChannelsChanged',
      'UnitChannelsChanged',
      'UnitChannelsChanged',
    ]);
    expect(JSON.stringify(history.map((e) => e.data))).not.toContain('ROBOT-TOKEN');

    // A ref of channels changed meanwhile (the robot's takes changed its ref), and a ref with a field it cannot change.
    const stale = await put([{ ref: shown[0].ref }]);
    expect([stale.status, stale.body.field]).toEqual([400, 'channels[0].ref']);
    const now = (await admin.get(`/api/units/${unit.id}/channels`)).body.channels;
    const moved = await put([{ ref: now[0].ref, url: 'https://evil.example.com/' }]);
    expect([moved.status, moved.body.field]).toEqual([400, 'channels[0].url']);
    const quiet = await put([{ ref: now[0].ref, quietHours: { from: '22:00', to: '07:00' } }]);
    expect([quiet.status, quiet.body.field]).toEqual([400, 'channels[0].quietHours']);
    expect((await app.infra.directory.getUnit(unit.id, { stored: true }))!.channels).toEqual(stored);
  });

  it(
    'keeps its tables from its events: an event whose writer died before ' +
      'applying it reaches them through the worker',
    async () => {
      const [city] = (await admin.get('/api/regions')).body;
      const unitId = randomUUID();
      // Appended as a crashed API instance would have left it: in history, not yet in the tables.
      await decideAndAppend(app.infra.eventStore, unitDecider, unitStreamName(unitId), {
        type: 'RegisterUnit',
        data: { unitId, regionId: city.id, name: '阜阳市住建局', headName: null, contact: null },
        metadata: { actor: SYSTEM_ACTOR, now: new Date().toISOString(), correlationId: randomUUID() },
      });
      await eventually(async () => ((await admin.get(`/api/units/${unitId}`)).status === 200 ? true : undefined));
    },
  );
});
