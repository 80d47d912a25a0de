import { ReminderRecipient } from '@zhenggai/domain';
import { recordReminder } from '../support/reminders';
import { eventually, HttpClient, login } from '../support/http-client';
import { readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

/** The in-app inbox over HTTP: reading a message is recorded on its task, so the history shows who knew what when. */
describe('the inbox', () => {
  let app: TestApp;
  let unit: HttpClient;
  let leader: HttpClient;
  let me: { id: string; displayName: string; unitId: string };
  let task: { id: string; title: string; deadline: string };
  let deadlineVersion: number;

  const remind = (level: string, recipients: ReminderRecipient[]) =>
    recordReminder(app.infra.eventStore, { id: task.id, deadline: task.deadline, deadlineVersion }, level, recipients);

  const readPath = (reminderId: string) => `/api/inbox/${task.id}/${encodeURIComponent(reminderId)}/read`;
  const inboxItem = async (client: HttpClient, reminderId: string, query = '') =>
    (await client.get(`/api/inbox${query}`)).body.items.find(
      (m: { taskId: string; reminderId: string }) => m.taskId === task.id && m.reminderId === reminderId,
    );
  const history = async () =>
    (await unit.get(`/api/tasks/${task.id}/history`)).body as Array<{
      type: string;
      data: any;
      actor: any;
      occurredAt: string;
      revision: number;
    }>;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    unit = await login(app.http, 'unit');
    leader = await login(app.http, 'leader');
    me = (await unit.get('/api/auth/me')).body;
    await readModelsCaughtUp(app);
    task = (await unit.get('/api/tasks?status=closed&pageSize=1')).body.items[0];
    deadlineVersion = (await unit.get(`/api/tasks/${task.id}`)).body.deadlineVersion;
  });
  afterAll(() => app?.close());

  it(
    "lists a reminder to the unit's account as unread, records its reading " +
      'on the task once, and hides it from everyone else',
    async () => {
      const unitChannel: ReminderRecipient = { role: 'unit', kind: 'unit', id: me.unitId, name: '王堰镇人民政府' };
      const reminderId = await remind('due_today', [
        { role: 'unit', kind: 'user', id: me.id, name: me.displayName },
        unitChannel,
      ]);

      const listed = await eventually(() => inboxItem(unit, reminderId, '?unread=true&limit=50'));
      expect(listed).toMatchObject({
        kind: 'reminder',
        label: '到期提醒',
        title: task.title,
        deadline: task.deadline,
        readAt: null,
      });
      expect((await unit.get('/api/inbox?unread=true')).body.unreadCount).toBeGreaterThanOrEqual(1);

      const stranger = await leader.post(readPath(reminderId));
      expect(stranger.status).toBe(404);
      expect(stranger.headers.get('content-type')).toContain('application/problem+json');
      expect(await inboxItem(leader, reminderId)).toBeUndefined();
      expect((await unit.post(readPath(`${deadlineVersion}:report`))).status).toBe(404);

      const before = await history();
      const read = await unit.post(readPath(reminderId));
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ taskId: task.id, reminderId, revision: before.length, readAt: expect.any(String) });
      expect(read.headers.get('etag')).toBe(`"${read.body.revision}"`);

      const after = await history();
      expect(after).toHaveLength(before.length + 1);
      expect(after[after.length - 1]).toMatchObject({
        type: 'RectificationTaskReminderRead',
        revision: read.body.revision,
        data: { taskId: task.id, reminderId, readBy: { userId: me.id, username: 'unit' } },
        actor: { userId: me.id, username: 'unit' },
        occurredAt: read.body.readAt,
      });

      const again = await unit.post(readPath(reminderId));
      expect(again.status).toBe(200);
      expect(again.body).toEqual(read.body);
      expect(await history()).toHaveLength(after.length);

      const seen = await eventually(async () =>
        (await inboxItem(unit, reminderId))?.readAt ? inboxItem(unit, reminderId) : undefined,
      );
      expect(seen.readAt).toBe(read.body.readAt);
      expect(await inboxItem(unit, reminderId, '?unread=true')).toBeUndefined();
    },
  );

  it('lets the recipient read a reminder the inbox has not caught up with yet', async () => {
    const reminderId = await remind('urge', [{ role: 'unit_head', kind: 'user', id: me.id, name: me.displayName }]);
    const read = await unit.post(readPath(reminderId));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ taskId: task.id, reminderId });
    const listed = await eventually(async () =>
      (await inboxItem(unit, reminderId))?.readAt ? inboxItem(unit, reminderId) : undefined,
    );
    expect(listed).toMatchObject({ kind: 'escalation', label: '催办', readAt: read.body.readAt });
  });

  it('pages the older messages (before=next): every message once, newest first', async () => {
    await remind('supervise', [{ role: 'supervising_leader', kind: 'user', id: me.id, name: me.displayName }]);
    await readModelsCaughtUp(app);
    const whole = (await unit.get('/api/inbox?limit=100')).body;
    expect(whole.items.length).toBeGreaterThan(1);
    expect(whole.next).toBeNull();
    const key = (m: { taskId: string; reminderId: string }) => `${m.taskId}/${m.reminderId}`;
    const paged: string[] = [];
    let before: string | null = null;
    do {
      const page: { items: Array<{ taskId: string; reminderId: string }>; next: string | null } = (
        await unit.get(`/api/inbox?limit=1${before ? `&before=${before}` : ''}`)
      ).body;
      expect(page.items).toHaveLength(1);
      paged.push(...page.items.map(key));
      before = page.next;
    } while (before);
    expect(paged).toEqual(whole.items.map(key));
  });

  it('names a bad query parameter', async () => {
    const bad = await unit.get('/api/inbox?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('limit');
  });
});
