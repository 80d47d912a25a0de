import { StoredEvent } from '@zhenggai/application';
import { ReminderRecipient, SYSTEM_ACTOR, taskStreamName } from '@zhenggai/domain';
import { Infrastructure, loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { projectionWriteSql } from '@zhenggai/postgres';
import { createTestDatabase } from '../../../../test/support/test-database';
import { InboxQueries } from '../queries/inbox.query';
import { projectAll } from '../testing/project-all';
import { everyEventReadable } from '../../../../test/support/every-event-readable';
import { inboxProjection } from './inbox.projection';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';

describe('the inbox read model', () => {
  let drop: () => Promise<void>;
  let infra: Infrastructure;
  let inbox: InboxQueries;
  let housing: StoredEvent;
  let ponds: StoredEvent;
  let unitUser: ReminderRecipient;
  let leader: ReminderRecipient;
  let adminId: string;

  const at = (instant: string) => new Date(instant).toISOString();

  async function append(taskId: string, type: string, data: object, occurredAt: string, actor = SYSTEM_ACTOR) {
    const metadata = { actor, occurredAt: at(occurredAt), correlationId: `inbox-${type}`, causationId: null };
    await infra.eventStore.appendToStream(taskStreamName(taskId), [{ type, data: { taskId, ...data }, metadata }], {
      expectedRevision: 'any',
    });
  }

  const reminder = (reminderId: string, label: string, recipients: ReminderRecipient[]) => ({
    reminderId,
    level: reminderId.split(':')[1],
    label,
    deadline: '2018-06-30',
    deadlineVersion: 0,
    dueAt: at('2018-06-27T09:00:00+08:00'),
    policy: { id: 'default', version: 1 },
    recipients,
  });

  const rowsOf = async (schema: string) =>
    (
      await infra.pool.query(`SELECT * FROM "${schema}".inbox_messages ORDER BY user_id, task_id, reminder_id`)
    ).rows.concat((await infra.pool.query(`SELECT * FROM "${schema}".inbox_task_titles ORDER BY task_id`)).rows);

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    infra = await closedAfterThisFile(
      startInfrastructure(loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(40) })),
      (i) => i.close(),
    );
    await seedDemo(infra);
    await everyEventReadable(infra.eventStore);
    inbox = new InboxQueries(infra.pool);

    const assigned = (await infra.eventStore.readAll({ maxCount: 100_000 })).filter(
      (e) => e.type === 'RectificationTaskAssigned',
    );
    [housing, ponds] = assigned;
    const account = async (username: string) => (await infra.users.findByUsername(username))!;
    const unit = await account('unit');
    unitUser = { role: 'unit', kind: 'user', id: unit.id, name: unit.displayName };
    const leaderAccount = await account('leader');
    leader = { role: 'supervising_leader', kind: 'user', id: leaderAccount.id, name: leaderAccount.displayName };
    adminId = (await account('admin')).id;
    const unitChannel: ReminderRecipient = { role: 'unit', kind: 'unit', id: unit.unitId!, name: '王堰镇人民政府' };
    const asUnit = { userId: unit.id, username: 'unit', role: 'unit' as const, unitId: unit.unitId };

    const h = housing.data.taskId;
    await append(
      h,
      'RectificationTaskReminded',
      reminder('0:reminder', '提醒', [unitUser, unitChannel]),
      '2018-06-27T09:00:05+08:00',
    );
    await append(
      h,
      'RectificationTaskEscalated',
      reminder('0:urge', '催办', [unitUser, leader, unitUser]),
      '2018-07-02T09:00:05+08:00',
    );
    await append(
      ponds.data.taskId,
      'RectificationTaskReminded',
      reminder('0:reminder', '提醒', [unitChannel]),
      '2018-06-27T09:00:06+08:00',
    );
    const readBy = { userId: unitUser.id, username: 'unit' };
    await append(
      h,
      'RectificationTaskReminderRead',
      { reminderId: '0:reminder', readBy },
      '2018-06-28T08:30:00+08:00',
      asUnit,
    );
    // Recorded once per reader by the command; a second one (written around it) must not move the first read.
    await append(
      h,
      'RectificationTaskReminderRead',
      { reminderId: '0:reminder', readBy },
      '2018-06-29T08:30:00+08:00',
      asUnit,
    );
    await append(
      h,
      'RectificationTaskReminderRead',
      { reminderId: '0:urge', readBy: { userId: adminId, username: 'admin' } },
      '2018-07-03T08:00:00+08:00',
    );

    await projectAll(infra.pool, infra.eventStore, [inboxProjection]);
  });
  afterAll(async () => {
    await infra?.close();
    await drop?.();
  });

  it(
    "lists a user's reminders and escalations newest first, with the " + "task's title, and counts the unread",
    async () => {
      const page = await inbox.list(unitUser.id, { limit: 10 });
      expect(page.unreadCount).toBe(1);
      // Just after an upgrade the read model built before the kept count serves: the messages are counted.
      await infra.pool.query('DROP VIEW read_models.inbox_unread');
      expect((await inbox.list(unitUser.id, { limit: 10 })).unreadCount).toBe(1);
      await projectAll(infra.pool, infra.eventStore, [inboxProjection]);
      expect(page.items).toEqual([
        expect.objectContaining({
          taskId: housing.data.taskId,
          reminderId: '0:urge',
          kind: 'escalation',
          label: '催办',
          readAt: null,
        }),
        expect.objectContaining({
          taskId: housing.data.taskId,
          reminderId: '0:reminder',
          kind: 'reminder',
          label: '提醒',
          deadline: '2018-06-30',
        }),
      ]);
      for (const item of page.items)
        expect(item).toMatchObject({ title: housing.data.title, leadUnitId: housing.data.leadUnitId });
      expect(page.items[1]).toMatchObject({
        dueAt: at('2018-06-27T09:00:00+08:00'),
        recordedAt: at('2018-06-27T09:00:05+08:00'),
      });

      const unread = await inbox.list(unitUser.id, { unreadOnly: true, limit: 10 });
      expect(unread.items.map((m) => m.reminderId)).toEqual(['0:urge']);
      const first = await inbox.list(unitUser.id, { limit: 1 });
      const next = await inbox.list(unitUser.id, { limit: 1, before: first.items[0].position });
      expect([...first.items, ...next.items].map((m) => m.reminderId)).toEqual(['0:urge', '0:reminder']);
    },
  );

  it('keeps messages for user recipients only: a unit channel gets none', async () => {
    const { rows } = await infra.pool.query(
      'SELECT user_id, reminder_id FROM read_models.inbox_messages ORDER BY reminder_id, user_id',
    );
    expect(rows).toHaveLength(3);
    expect(
      rows
        .filter((r) => r.reminder_id === '0:urge')
        .map((r) => r.user_id)
        .sort(),
    ).toEqual([unitUser.id, leader.id].sort());
    expect((await inbox.list(leader.id, { limit: 10 })).items.map((m) => m.reminderId)).toEqual(['0:urge']);
    expect(await inbox.list(adminId, { limit: 10 })).toEqual({ items: [], unreadCount: 0, next: null });
  });

  it("sets the read time from the reader's first read only, and only on the reader's own message", async () => {
    expect((await inbox.find(unitUser.id, housing.data.taskId, '0:reminder'))?.readAt).toBe(
      at('2018-06-28T08:30:00+08:00'),
    );
    expect((await inbox.find(leader.id, housing.data.taskId, '0:urge'))?.readAt).toBeNull();
    expect(await inbox.find(leader.id, housing.data.taskId, '0:reminder')).toBeNull();
    expect(await inbox.find(adminId, housing.data.taskId, '0:urge')).toBeNull();
  });

  it('yields the same rows when rebuilt from scratch, whether in one batch or one event at a time', async () => {
    await projectAll(infra.pool, infra.eventStore, [inboxProjection], 'rebuilt');
    const schema = 'proj_inbox_one_by_one';
    await infra.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
    await inboxProjection.setup(infra.pool, schema);
    for (const event of await infra.eventStore.readAll({
      maxCount: 100_000,
      eventTypePrefixes: inboxProjection.eventTypePrefixes,
    })) {
      await inboxProjection.apply(projectionWriteSql(infra.pool), schema, [event]);
    }
    const original = await rowsOf('proj_inbox_test');
    expect(original.length).toBeGreaterThan(3);
    expect(await rowsOf('proj_inbox_rebuilt')).toEqual(original);
    expect(await rowsOf(schema)).toEqual(original);
    // Each account's unread count, kept as messages come and are read, is what counting its messages gives.
    for (const built of ['proj_inbox_test', 'proj_inbox_rebuilt', schema]) {
      const { rows } = await infra.pool.query(
        `SELECT m.user_id, count(*) FILTER (WHERE m.read_at IS NULL)::int AS counted, coalesce(u.n, 0) AS kept
           FROM "${built}".inbox_messages m LEFT JOIN "${built}".inbox_unread u ON u.user_id = m.user_id
          GROUP BY m.user_id, u.n`,
      );
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) expect([built, row.user_id, row.kept]).toEqual([built, row.user_id, row.counted]);
    }
  });
});
