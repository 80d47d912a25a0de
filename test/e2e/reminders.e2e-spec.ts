import { ManualClock } from '@zhenggai/application';
import { REMINDERS_QUEUE } from '@zhenggai/platform';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, HttpClient, login } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The reminder ladder end to end, with the worker running in the app (BullMQ on the test PostgreSQL) and the
 * clock under the test's control: an admin sets a ladder and a unit's robot webhook; a task is assigned; when
 * its level falls due the unit is reminded in its inbox and by webhook, reads it, and the task's history shows
 * both; a delivery that failed is listed for the admin and sent again.
 */

describe('reminders and escalation over HTTP', () => {
  const clock = new ManualClock('2030-06-01T10:00:00+08:00');
  let app: TestApp;
  let admin: HttpClient;
  let inspector: HttpClient;
  let unit: HttpClient;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ path: string; body: any }> = [];
  let robotDown = true;

  const put = (client: HttpClient, path: string, body: unknown) => client.request<any>('PUT', path, body, {});

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/wecom' && robotDown) return void res.writeHead(502).end('bad gateway');
        received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    app = await startTestApp({
      seed: true,
      clock,
      env: { REMINDERS: 'on', DELIVERY_ATTEMPTS: '2', DELIVERY_BACKOFF_MS: '50', REMINDER_RECONCILE_SECONDS: '5' },
    });
    [admin, inspector, unit] = await Promise.all(['admin', 'inspector', 'unit'].map((u) => login(app.http, u)));
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('refuses a malformed ladder or channel with a 400 naming the field', async () => {
    const badLadder = await put(admin, '/api/reminder-policies/default', {
      name: '新规则',
      levels: [
        { level: 'urge', label: '催办', kind: 'escalation', offset: { days: 1, hourOfDay: 25 }, recipients: ['unit'] },
      ],
    });
    expect(badLadder.status).toBe(400);
    expect(badLadder.body.field).toBe('levels[0].offset.hourOfDay');
    const me = (await unit.get('/api/auth/me')).body;
    const badChannel = await put(admin, `/api/units/${me.unitId}/channels`, {
      channels: [{ kind: 'webhook', url: 'ftp://robot.example.com', format: 'json' }],
    });
    expect(badChannel.status).toBe(400);
    expect(badChannel.body.field).toBe('channels[0].url');
    const unknownField = await put(admin, `/api/units/${me.unitId}/channels`, {
      channels: [{ kind: 'email', address: 'a@b.cn', cc: 'x@y.cn' }],
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.field).toBe('channels[0].cc');
    expect((await put(inspector, '/api/reminder-policies/default', { name: 'x', levels: [] })).status).toBe(403);
  });

  it(
    'reminds the unit when its level falls due, in the inbox and by ' +
      'webhook, and the history shows who read it when',
    async () => {
      const me = (await unit.get('/api/auth/me')).body;
      const ladder = await put(admin, '/api/reminder-policies/default', {
        name: '默认催办规则（试行）',
        levels: [
          {
            level: 'reminder',
            label: '提醒',
            kind: 'reminder',
            offset: { days: -2, hourOfDay: 8 },
            recipients: ['unit'],
          },
          {
            level: 'urge',
            label: '催办',
            kind: 'escalation',
            offset: { days: 1, hourOfDay: 9 },
            recipients: ['unit_head', 'assigning_office'],
          },
        ],
      });
      expect(ladder.status).toBe(200);
      expect(ladder.body).toMatchObject({ id: 'default', version: 2 });
      const channels = await put(admin, `/api/units/${me.unitId}/channels`, {
        // The ladder's messages only: the hand-over notices (a new task…) are for other channels here.
        channels: [
          {
            kind: 'webhook',
            url: `${receiverUrl}/json?token=secret-token`,
            format: 'json',
            takes: ['reminder', 'escalation'],
          },
          { kind: 'webhook', url: `${receiverUrl}/wecom`, format: 'wecom', takes: ['reminder', 'escalation'] },
        ],
      });
      expect(channels.status).toBe(200);
      expect(channels.body.channels[0].url).toBe(`${receiverUrl}/json?…`);

      const regions = (await inspector.get('/api/regions')).body;
      const regionId = regions.find((r: { name: string }) => r.name === '蔡郢村').id;
      const finding = (
        await inspector.post('/api/findings', {
          title: '村道积水',
          regionId,
          category: 'living-environment',
          severity: 'medium',
        })
      ).body;
      const task = (
        await inspector.post(`/api/findings/${finding.id}/tasks`, {
          unitId: me.unitId,
          deadline: '2030-06-20',
          measures: '疏通排水沟',
        })
      ).body;

      // Assigned weeks ahead, the task has no job queued yet: levels are queued as they come within the horizon.
      await eventually(async () => ((await admin.get(`/api/tasks/${task.id}`)).status === 200 ? true : undefined));
      expect(
        (await app.infra.queues.queue(REMINDERS_QUEUE).getJobs(['delayed', 'waiting'])).filter(
          (j) => j?.data?.taskId === task.id,
        ),
      ).toEqual([]);

      // Two weeks and more later (the sessions have ended: people log in again), the reconciliation, running every
      // few seconds here, queues the level now due.
      clock.set('2030-06-18T08:00:01+08:00');
      [admin, unit] = await Promise.all(['admin', 'unit'].map((u) => login(app.http, u)));

      const message = await eventually(
        async () => (await unit.get('/api/inbox')).body.items.find((m: any) => m.taskId === task.id),
        20_000,
      );
      expect(message).toMatchObject({
        reminderId: '0:reminder',
        label: '提醒',
        kind: 'reminder',
        title: '村道积水',
        deadline: '2030-06-20',
        readAt: null,
      });
      const json = await eventually(
        async () => received.find((r) => r.path.startsWith('/json') && r.body.taskId === task.id),
        20_000,
      );
      expect(json.body).toMatchObject({
        type: 'zhenggai.reminder',
        levelLabel: '提醒',
        daysToDeadline: 2,
        taskTitle: '村道积水',
      });

      const read = await unit.post(`/api/inbox/${task.id}/${encodeURIComponent('0:reminder')}/read`);
      expect(read.status).toBe(200);
      const history = (await unit.get(`/api/tasks/${task.id}/history`)).body as Array<{
        type: string;
        data: any;
        actor: any;
        occurredAt: string;
      }>;
      const reminded = history.find((e) => e.type === 'RectificationTaskReminded')!;
      expect(reminded.actor).toMatchObject({ username: 'system' });
      expect(reminded.data).toMatchObject({ level: 'reminder', policy: { id: 'default', version: 2 } });
      expect(reminded.data.recipients).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'user', id: me.id }),
          expect.objectContaining({ kind: 'unit', id: me.unitId }),
        ]),
      );
      const readEvent = history.find((e) => e.type === 'RectificationTaskReminderRead')!;
      expect(readEvent.data).toMatchObject({ reminderId: '0:reminder', readBy: { username: 'unit' } });
      expect(readEvent.occurredAt).toBe('2030-06-18T00:00:01.000Z');

      // The WeCom robot was down: after its attempts the delivery is listed as failed; the admin sends it again.
      const failed = await eventually(
        async () => (await admin.get(`/api/admin/deliveries?status=failed&taskId=${task.id}`)).body.items[0],
        20_000,
      );
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastError: expect.stringContaining('502') });
      expect((await unit.get('/api/admin/deliveries?status=failed')).status).toBe(403);
      robotDown = false;
      expect((await admin.post(`/api/admin/deliveries/${encodeURIComponent(failed.id)}/retry`)).status).toBe(202);
      await eventually(
        async () =>
          (await admin.get(`/api/admin/deliveries?taskId=${task.id}`)).body.items.every(
            (d: any) => d.status === 'delivered',
          )
            ? true
            : undefined,
        20_000,
      );
      expect(received.filter((r) => r.path === '/wecom' && JSON.stringify(r.body).includes('村道积水'))).toHaveLength(
        1,
      );
      expect((await admin.post(`/api/admin/deliveries/${encodeURIComponent(failed.id)}/retry`)).status).toBe(409);
    },
  );

  it('pages the delivery ledger newest first by its next, and refuses a cursor that is not one', async () => {
    const taskId = '7a1e0000-0000-4000-8000-000000000001';
    await app.infra.deliveries.record(
      Array.from({ length: 5 }, (_, i) => ({
        id: `ledger-page:${i}`,
        eventId: `7a1e0000-0000-4000-8000-00000000001${i}`,
        taskId,
        reminderId: 'assigned',
        address: { kind: 'webhook' as const, url: `${receiverUrl}/json?token=secret-token`, format: 'json' as const },
        message: { title: '新交办任务', text: `第 ${i} 条` } as never,
        batch: 'ledger-page',
      })),
    );
    const seen: string[] = [];
    let before: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await admin.get(
        `/api/admin/deliveries?taskId=${taskId}&limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((d: any) => d.id));
      expect(JSON.stringify(page.body.items)).not.toContain('secret-token');
      if (page.body.next === null) {
        expect(pages).toBe(3);
        break;
      }
      before = page.body.next;
    }
    // Recorded together (one instant): newest first, then by id, each once.
    expect(seen).toEqual(['ledger-page:4', 'ledger-page:3', 'ledger-page:2', 'ledger-page:1', 'ledger-page:0']);
    const bad = await admin.get('/api/admin/deliveries?before=2030-06-01');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('before');
  });
});
