import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, HttpClient, login } from '../support/http-client';
import { dingTalkNotices } from '../support/robot-messages';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * 交办通知 over HTTP (issue 19, points 2 and 3): each hand-over of a task reaches the unit it concerns on every
 * channel of that unit that takes its kind — one message per channel, through the delivery ledger — and a channel's
 * preference is an admin's change recorded in history. The village 蔡郢村 has a DingTalk group that takes new tasks
 * and send-backs only, and a JSON receiver that takes everything; the city's inspection office a receiver for
 * what it must check.
 */
describe('notices for every hand-over, by channel preference', () => {
  let app: TestApp;
  const as: Record<string, HttpClient> = {};
  let receiver: Server;
  let url: string;
  const received: Array<{ path: string; body: any }> = [];

  const put = (client: HttpClient, path: string, body: unknown) => client.request<any>('PUT', path, body, {});
  const post = async (user: string, path: string, body: unknown = {}) => {
    const answer = await as[user].post(path, body);
    if (answer.status >= 300) throw new Error(`${user} ${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    app = await startTestApp({ seed: true, env: { REMINDERS: 'on', DELIVERY_BACKOFF_MS: '50' } });
    for (const user of ['admin', 'inspector', 'caiying']) as[user] = await login(app.http, user);
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('tells each hand-over to the channels that take its kind, once each, and records the preference', async () => {
    const units: Array<{ id: string; name: string }> = (await as.admin.get('/api/units')).body;
    const unitId = (name: string) => units.find((u) => u.name === name)!.id;
    const village = unitId('蔡郢村民委员会');
    const office = unitId('阜阳市委督查组');
    expect(
      (
        await put(as.admin, `/api/units/${village}/channels`, {
          channels: [
            { kind: 'webhook', url: `${url}/ding`, format: 'dingtalk', takes: ['sent_back', 'assigned'] },
            { kind: 'webhook', url: `${url}/all`, format: 'json' },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await put(as.admin, `/api/units/${office}/channels`, {
          channels: [
            { kind: 'webhook', url: `${url}/office`, format: 'json', takes: ['submitted', 'extension_requested'] },
          ],
        })
      ).status,
    ).toBe(200);
    const refused = await put(as.admin, `/api/units/${village}/channels`, {
      channels: [{ kind: 'email', address: 'cun@example.cn', takes: ['progress_report'] }],
    });
    expect([refused.status, refused.body.field]).toEqual([400, 'channels[0].takes']);
    const sleepless = await put(as.admin, `/api/units/${village}/channels`, {
      channels: [{ kind: 'email', address: 'cun@example.cn', quietHours: { from: '22:00', to: '7:00' } }],
    });
    expect([sleepless.status, sleepless.body.field]).toEqual([400, 'channels[0].quietHours.to']);

    const regions: Array<{ id: string; name: string }> = (await as.inspector.get('/api/regions')).body;
    const finding = await post('inspector', '/api/findings', {
      title: '村口沟渠堵塞',
      regionId: regions.find((r) => r.name === '蔡郢村')!.id,
      category: 'ponds-ditches',
      severity: 'medium',
    });
    const task = (
      await post('inspector', `/api/findings/${finding.id}/tasks`, {
        unitId: village,
        deadline: '2030-06-30',
        measures: '清淤疏通',
      })
    ).id as string;
    await post('caiying', `/api/tasks/${task}/accept`);
    await post('caiying', `/api/tasks/${task}/plan`, { plan: '人工清淤' });
    const { requestId } = await post('caiying', `/api/tasks/${task}/extension-requests`, {
      deadline: '2030-07-15',
      reason: '雨季',
    });
    await post('inspector', `/api/tasks/${task}/extension-requests/${requestId}/refuse`, { reason: '不能延期' });
    await post('caiying', `/api/tasks/${task}/submit`, { report: '已疏通', evidence: [{ ref: 'photo.jpg' }] });
    await post('inspector', `/api/tasks/${task}/send-back`, { reason: '缺少疏通后照片' });

    // Everything the ledger holds for the task delivered: 2 + 3 + 2 messages.
    await eventually(async () => {
      const items = (await as.admin.get(`/api/admin/deliveries?taskId=${task}`)).body.items as any[];
      return items.length === 7 && items.every((d) => d.status === 'delivered') ? true : undefined;
    }, 30_000);
    const of = (path: string) =>
      received.filter((r) => r.path === path && JSON.stringify(r.body).includes('村口沟渠堵塞'));
    // Notices of events the notifier handles at different times are jobs of their own: they arrive in any order.
    // A DingTalk message tells one notice in its title, or lists those of a batch (`【督办通知】2条`) a line each.
    const levels = (path: string) =>
      of(path)
        .flatMap((r) => (r.body.level ? [r.body.level] : dingTalkNotices(r.body.markdown).map((n) => n.headline)))
        .sort();
    expect(levels('/all')).toEqual(['assigned', 'extension_refused', 'sent_back']);
    expect(levels('/office')).toEqual(['extension_requested', 'submitted']);
    expect(levels('/ding')).toEqual(['【新交办】村口沟渠堵塞', '【退回重办】村口沟渠堵塞']);
    const sentBack = of('/all').find((r) => r.body.level === 'sent_back')!.body;
    expect(sentBack).toMatchObject({
      type: 'zhenggai.notice',
      levelLabel: '退回重办',
      recipientName: '蔡郢村民委员会',
      link: expect.stringContaining(`/tasks/${task}`),
      notice: {
        what: '任务「村口沟渠堵塞」的销号申请被退回',
        next: '请按退回理由整改后重新申请销号',
        reason: '缺少疏通后照片',
      },
    });
    // The send-back's reason, in its own message or on its line of a list.
    expect(
      of('/ding')
        .flatMap((r) => dingTalkNotices(r.body.markdown))
        .some((n) => n.headline.startsWith('【退回重办】') && n.text.includes('缺少疏通后照片')),
    ).toBe(true);

    // The preference is history, as other channel changes are (once the audit, a read model, has caught up: on a busy
    // machine it may still be behind the deliveries).
    const change = await eventually(async () => {
      const history = (await as.admin.get('/api/audit?type=UnitChannelsChanged&pageSize=50')).body.items as any[];
      return history.find((e) => e.streamName === `unit-${village}`);
    }, 30_000);
    expect(change.data.channels).toEqual([
      expect.objectContaining({ kind: 'webhook:dingtalk', takes: ['assigned', 'sent_back'] }),
      expect.not.objectContaining({ takes: expect.anything() }),
    ]);
  });
});
