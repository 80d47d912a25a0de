import {
  Actor,
  CommandMetadata,
  rectificationTaskDecider,
  ReminderRecipient,
  SYSTEM_ACTOR,
  taskStreamName,
} from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { StreamStateCache } from '../command-handling/stream-state-cache';
import { FakeDirectory } from '../testing/fake-directory';
import { InMemoryEventStore } from '../testing/in-memory-event-store';
import { assignmentInWangyan, findingInWangyan } from '../testing/wangyan-scene';
import { assignTask } from './assign-task';
import { fileFinding } from './file-finding';
import { linkTaskToFinding } from './link-task-to-finding';
import { recordDueReminders } from './record-due-reminders';
import { recordTaskReminder, RecordTaskReminderInput } from './record-task-reminder';
import { resolveFinding } from './resolve-finding';

/** The commands the worker sends on its own: a ladder level falling due, a task's link, a finding's resolution. */
const inspector: Actor = { userId: 'u-inspector', username: 'inspector', role: 'inspector' };
const unit: ReminderRecipient = { role: 'unit', kind: 'unit', id: 'wangyan-town', name: '王堰镇人民政府' };
const meta = (actor: Actor, now = '2030-06-01T09:00:00+08:00'): CommandMetadata => ({
  actor,
  now,
  correlationId: 'c-1',
  causationId: 'e-1',
});

/** A finding with two tasks (or as many as asked), due 2030-06-30 (its 提醒 falls due three days before, at 09:00). */
async function world(taskCount = 2) {
  const store = new InMemoryEventStore();
  let next = 0;
  const deps = {
    store,
    directory: new FakeDirectory(),
    ids: { newId: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}` },
  };
  const finding = await fileFinding(deps, findingInWangyan(), meta(inspector));
  const assign = () => assignTask(deps, assignmentInWangyan(finding.id), meta(inspector));
  const tasks: string[] = [];
  for (let i = 0; i < taskCount; i++) tasks.push((await assign()).id);
  const close = (taskId: string, type: 'RectificationTaskCancelled' | 'RectificationTaskVerified') =>
    store.appendToStream(taskStreamName(taskId), [
      {
        type,
        data:
          type === 'RectificationTaskCancelled'
            ? { taskId, reason: '重复交办' }
            : { taskId, note: null, verifiedBy: { userId: inspector.userId, unitId: null } },
        metadata: {},
      },
    ]);
  const resolved: string[][] = [];
  const recipients = {
    resolve: async (_task: unknown, roles: readonly string[]) => (resolved.push([...roles]), [unit]),
  };
  const ofType = (type: string) => store.events.filter((e) => e.type === type);
  return { deps: { store, recipients }, findingId: finding.id, tasks, close, ofType, resolved };
}

describe('recording a ladder level that falls due', () => {
  const reminder = (taskId: string): RecordTaskReminderInput => ({ taskId, level: 'reminder', deadlineVersion: 0 });

  it('records it once, with whom its roles reach, as the system', async () => {
    const { deps, tasks, ofType, resolved } = await world();

    const first = await recordTaskReminder(deps, reminder(tasks[0]), meta(SYSTEM_ACTOR, '2030-06-27T09:00:05+08:00'));
    const again = await recordTaskReminder(deps, reminder(tasks[0]), meta(SYSTEM_ACTOR, '2030-06-27T09:00:06+08:00'));

    expect([first, again]).toEqual([{ outcome: 'recorded' }, { outcome: 'not-owed' }]);
    expect(ofType('RectificationTaskReminded')).toHaveLength(1);
    expect(ofType('RectificationTaskReminded')[0].data).toMatchObject({ level: 'reminder', recipients: [unit] });
    expect(ofType('RectificationTaskReminded')[0].metadata.actor).toMatchObject({ role: 'system' });
    expect(resolved).toEqual([['unit']]);
  });

  it('answers `early` before its time, with how long until then, and records nothing', async () => {
    const { deps, tasks, ofType } = await world();

    expect(await recordTaskReminder(deps, reminder(tasks[0]), meta(SYSTEM_ACTOR, '2030-06-27T08:59:59+08:00'))).toEqual(
      { outcome: 'early', dueInMs: 1000 },
    );
    expect(ofType('RectificationTaskReminded')).toHaveLength(0);
    expect(await recordTaskReminder(deps, reminder(tasks[0]), meta(SYSTEM_ACTOR, '2030-06-27T09:00:00+08:00'))).toEqual(
      { outcome: 'recorded' },
    );
  });

  it('records nothing for a task that does not exist or a deadline version that is not in force', async () => {
    const { deps, tasks, ofType } = await world();
    const now = meta(SYSTEM_ACTOR, '2030-06-27T09:00:05+08:00');

    expect(await recordTaskReminder(deps, reminder('task-none'), now)).toEqual({ outcome: 'no-task' });
    expect(await recordTaskReminder(deps, { ...reminder(tasks[0]), deadlineVersion: 1 }, now)).toEqual({
      outcome: 'not-owed',
    });
    expect(ofType('RectificationTaskReminded')).toHaveLength(0);
  });
});

describe('recording many levels due at once (the scheduler catching up)', () => {
  const due = (taskId: string, deadlineVersion = 0) => ({
    taskId,
    level: 'reminder',
    deadlineVersion,
    correlationId: `reminder_${taskId}_${deadlineVersion}_reminder`,
  });
  const at = (now: string) => meta(SYSTEM_ACTOR, now);

  it('records each level still owed, on its own task with its own correlation, and nothing twice', async () => {
    const { deps, tasks, close, ofType } = await world(3);
    await close(tasks[2], 'RectificationTaskCancelled');

    const first = await recordDueReminders(
      deps,
      [due(tasks[0]), due(tasks[1]), due(tasks[2]), due('task-none'), due(tasks[0], 1)],
      at('2030-06-27T09:00:05+08:00'),
    );
    const again = await recordDueReminders(deps, [due(tasks[0]), due(tasks[1])], at('2030-06-27T09:10:00+08:00'));

    expect(first).toEqual({ recorded: 2, notOwed: 3, left: [] });
    expect(again).toEqual({ recorded: 0, notOwed: 2, left: [] });
    const reminded = ofType('RectificationTaskReminded');
    expect(reminded.map((e) => [e.streamName, e.metadata.correlationId])).toEqual([
      [taskStreamName(tasks[0]), due(tasks[0]).correlationId],
      [taskStreamName(tasks[1]), due(tasks[1]).correlationId],
    ]);
    expect(reminded[0].data).toMatchObject({ level: 'reminder', recipients: [unit] });
    expect(reminded[0].metadata.actor).toMatchObject({ role: 'system' });
  });

  it('keeps the state of a task the cache holds up to date, and adds none of the others to it', async () => {
    const { deps, tasks } = await world(2);
    const cache = new StreamStateCache();
    const [commanded, other] = tasks.map(taskStreamName) as [string, string];
    const before = await loadStream(deps.store, rectificationTaskDecider, commanded);
    cache.set(commanded, before.state, before.revision);

    const result = await recordDueReminders(
      { ...deps, cache },
      [due(tasks[0]), due(tasks[1])],
      at('2030-06-27T09:00:05+08:00'),
    );

    expect(result.recorded).toBe(2);
    const after = await loadStream(deps.store, rectificationTaskDecider, commanded);
    expect(after.revision).toBe(before.revision + 1);
    expect(cache.get(commanded)).toEqual({ state: after.state, revision: after.revision });
    expect(cache.get(other)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('leaves to the caller a level not due yet by its clock, and one whose task was written meanwhile', async () => {
    const { deps, tasks, ofType } = await world(3);
    // Another writer appends to the first task between the batch's read of it and its append.
    const store = deps.store;
    const racing = Object.create(store) as typeof store;
    racing.appendToStream = async (stream, events, options) => {
      if (stream === taskStreamName(tasks[0]) && events[0]?.type === 'RectificationTaskReminded') {
        await store.appendToStream(stream, [{ type: 'RectificationTaskProgressNoted', data: {}, metadata: {} }]);
      }
      return store.appendToStream(stream, events, options);
    };

    const result = await recordDueReminders(
      { ...deps, store: racing },
      [due(tasks[0]), due(tasks[1])],
      at('2030-06-27T09:00:05+08:00'),
    );
    const early = await recordDueReminders(deps, [due(tasks[2])], at('2030-06-27T08:59:00+08:00'));

    expect(result).toEqual({ recorded: 1, notOwed: 0, left: [due(tasks[0])] });
    expect(early).toEqual({ recorded: 0, notOwed: 0, left: [due(tasks[2])] });
    expect(ofType('RectificationTaskReminded').map((e) => e.streamName)).toEqual([taskStreamName(tasks[1])]);
  });
});

describe('a finding and its tasks, as the worker keeps them', () => {
  it('links a task its assignment did not link, once, in the name of who assigned it', async () => {
    const { deps, findingId, tasks, ofType } = await world();

    const linked = await linkTaskToFinding(deps, { findingId, taskId: 'task-unlinked' }, meta(inspector));
    const again = await linkTaskToFinding(deps, { findingId, taskId: 'task-unlinked' }, meta(inspector));
    await linkTaskToFinding(deps, { findingId, taskId: tasks[0] }, meta(inspector));

    expect(again).toEqual(linked);
    expect(ofType('FindingTaskLinked').map((e) => e.data.taskId)).toEqual([...tasks, 'task-unlinked']);
    expect(ofType('FindingTaskLinked')[2].metadata).toMatchObject({ actor: { role: 'inspector' }, causationId: 'e-1' });
  });

  it('resolves the finding once all its tasks are finished (one closed), and not before', async () => {
    const { deps, findingId, tasks, close, ofType } = await world();

    await close(tasks[0], 'RectificationTaskCancelled');
    const open = await resolveFinding(deps, { findingId }, meta(SYSTEM_ACTOR));
    await close(tasks[1], 'RectificationTaskVerified');
    const resolved = await resolveFinding(deps, { findingId }, meta(SYSTEM_ACTOR));

    expect(resolved).toEqual({ revision: open!.revision + 1 });
    expect(ofType('FindingResolved')).toHaveLength(1);
    expect(ofType('FindingResolved')[0].metadata.actor).toMatchObject({ role: 'system' });
  });

  it('passes over a finding that was never filed', async () => {
    const { deps } = await world();

    expect(await resolveFinding(deps, { findingId: 'finding-none' }, meta(SYSTEM_ACTOR))).toBeNull();
  });
});
