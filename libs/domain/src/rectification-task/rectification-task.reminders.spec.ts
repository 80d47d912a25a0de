import { DEFAULT_REMINDER_POLICY, levelDueAt, ReminderPolicy } from '../reminders/reminder-policy';
import { Actor, ForbiddenError, foldEvents, NotFoundError, SYSTEM_ACTOR } from '../shared';
import { DeciderSpecification } from '../testing/decider-spec';
import { MarkTaskReminderRead, RecordTaskReminder } from './rectification-task.commands';
import { rectificationTaskDecider } from './rectification-task.decider';
import { owedReminders, remindersToSchedule } from './rectification-task.reminders';
import { RectificationTaskAssigned, RectificationTaskEvent, ReminderRecipient } from './rectification-task.events';

const spec = DeciderSpecification.for(rectificationTaskDecider);

const TASK_ID = 'task-caiying-housing';
const unitUser: Actor = { userId: 'user-wangyan-chen', username: 'chen.wy', role: 'unit', unitId: 'unit-wangyan' };
const leader: Actor = { userId: 'user-leader-wang', username: 'wang.sj', role: 'leader', unitId: null };
const RECIPIENTS: ReminderRecipient[] = [
  { role: 'unit', kind: 'unit', id: 'unit-wangyan', name: '王堰镇人民政府' },
  { role: 'unit', kind: 'user', id: 'user-wangyan-chen', name: '陈办事员' },
  { role: 'leadership', kind: 'user', id: 'user-leader-wang', name: '王书记' },
];

const assigned = (policy: ReminderPolicy = DEFAULT_REMINDER_POLICY): RectificationTaskAssigned => ({
  type: 'RectificationTaskAssigned',
  data: {
    taskId: TASK_ID,
    findingId: 'finding-1',
    title: '蔡郢村危房改造',
    regionId: 'region-caiying',
    category: '危房改造',
    leadUnitId: 'unit-wangyan',
    cooperatingUnitIds: [],
    parentTaskId: null,
    rootTaskId: TASK_ID,
    depth: 0,
    assigningUnitId: null,
    deadline: '2018-09-30',
    measures: '一户一方案',
    target: null,
    campaignId: null,
    assignedBy: 'user-inspector-li',
    reminderPolicy: policy,
  },
});
const extended: RectificationTaskEvent = {
  type: 'RectificationTaskExtensionApproved',
  data: { taskId: TASK_ID, requestId: 'ext-1', previousDeadline: '2018-09-30', newDeadline: '2018-10-31' },
};
const record = (
  level: string,
  deadlineVersion = 0,
  actor: Actor = SYSTEM_ACTOR,
  now = '2018-09-27T09:00:05+08:00',
): RecordTaskReminder => ({
  type: 'RecordTaskReminder',
  data: { level, deadlineVersion, recipients: RECIPIENTS },
  metadata: { actor, now, correlationId: 'job-1' },
});
const read = (reminderId: string, actor: Actor = unitUser): MarkTaskReminderRead => ({
  type: 'MarkTaskReminderRead',
  data: { reminderId },
  metadata: { actor, now: '2018-09-27T10:00:00+08:00', correlationId: 'c-2' },
});
const reminded = (
  level = 'reminder',
  label = '提醒',
  deadline = '2018-09-30',
  deadlineVersion = 0,
): RectificationTaskEvent => ({
  type: 'RectificationTaskReminded',
  data: {
    taskId: TASK_ID,
    title: '蔡郢村危房改造',
    regionId: 'region-caiying',
    reminderId: `${deadlineVersion}:${level}`,
    level,
    label,
    deadline,
    deadlineVersion,
    dueAt: levelDueAt(
      deadline,
      DEFAULT_REMINDER_POLICY.levels.find((l) => l.level === level)!,
    ),
    policy: { id: 'default', version: 1 },
    recipients: RECIPIENTS,
  },
});

describe('the reminder ladder (DESIGN.md defaults, Asia/Shanghai)', () => {
  it('falls due −3 days, on the day, +1, +3 and +7 days after the deadline date, at 09:00', () => {
    expect(DEFAULT_REMINDER_POLICY.levels.map((l) => [l.level, l.label, levelDueAt('2018-09-30', l)])).toEqual([
      ['reminder', '提醒', '2018-09-27T01:00:00.000Z'],
      ['due_today', '到期提醒', '2018-09-30T01:00:00.000Z'],
      ['urge', '催办', '2018-10-01T01:00:00.000Z'],
      ['supervise', '督办', '2018-10-03T01:00:00.000Z'],
      ['report', '通报', '2018-10-07T01:00:00.000Z'],
    ]);
  });

  it('counts hour offsets from the moment the deadline falls due (the end of its date)', () => {
    const level = {
      level: 'last_call',
      label: '最后提醒',
      kind: 'reminder' as const,
      offset: { hours: -2 },
      recipients: ['unit' as const],
    };
    expect(levelDueAt('2018-09-30', level)).toBe('2018-09-30T14:00:00.000Z'); // 22:00 in Shanghai
  });

  it('owes the default ladder’s five levels on a task that pinned the default', () => {
    expect(owedReminders(foldEvents(rectificationTaskDecider, [assigned()])).map((r) => r.reminderId)).toEqual([
      '0:reminder',
      '0:due_today',
      '0:urge',
      '0:supervise',
      '0:report',
    ]);
  });

  it('follows the ladder pinned on the task, not today’s default', () => {
    const campaignLadder: ReminderPolicy = {
      id: 'housing-campaign',
      version: 2,
      name: '危房攻坚',
      levels: [
        {
          level: 'weekly',
          label: '周提醒',
          kind: 'reminder',
          offset: { days: -7, hourOfDay: 8 },
          recipients: ['unit'],
        },
      ],
    };
    const owed = owedReminders(foldEvents(rectificationTaskDecider, [assigned(campaignLadder)]));
    expect(owed).toEqual([
      {
        reminderId: '0:weekly',
        deadlineVersion: 0,
        level: campaignLadder.levels[0],
        dueAt: '2018-09-23T00:00:00.000Z',
      },
    ]);
  });
  it('owes the levels earliest first, and those due at the same instant in the ladder’s order', () => {
    const at = (level: string, offset: ReminderPolicy['levels'][number]['offset']) => ({
      level,
      label: level,
      kind: 'reminder' as const,
      offset,
      recipients: ['unit' as const],
    });
    const ladder: ReminderPolicy = {
      id: 'shuffled',
      version: 1,
      name: '次序',
      // 2018-09-30 at 22:00 in Shanghai, written twice (by hours and by days); then 09:00 the day before; then 23:00.
      levels: [
        at('late', { hours: -1 }),
        at('by_hours', { hours: -2 }),
        at('day_before', { days: -1, hourOfDay: 9 }),
        at('by_days', { days: 0, hourOfDay: 22 }),
      ],
    };
    const owed = owedReminders(foldEvents(rectificationTaskDecider, [assigned(ladder)]));
    expect(owed.map((r) => [r.level.level, r.dueAt])).toEqual([
      ['day_before', '2018-09-29T01:00:00.000Z'],
      ['by_hours', '2018-09-30T14:00:00.000Z'],
      ['by_days', '2018-09-30T14:00:00.000Z'],
      ['late', '2018-09-30T15:00:00.000Z'],
    ]);
  });
});

describe('RecordTaskReminder (the engine records a level that fell due)', () => {
  it('records a level before the deadline as a reminder, with its recipients and the pinned policy', () => {
    spec.given([assigned()]).when(record('reminder')).then([reminded()]);
  });

  it('records a level after the deadline as an escalation', () => {
    spec
      .given([assigned()])
      .when(record('urge', 0, SYSTEM_ACTOR, '2018-10-01T09:00:05+08:00'))
      .then([
        {
          type: 'RectificationTaskEscalated',
          data: { ...(reminded('urge', '催办').data as object), dueAt: '2018-10-01T01:00:00.000Z' } as never,
        },
      ]);
  });

  it('records nothing before the level is due (a job that ran early)', () => {
    spec
      .given([assigned()])
      .when({ ...record('due_today'), metadata: { ...record('due_today').metadata, now: '2018-09-30T08:59:59+08:00' } })
      .thenNothing();
  });

  it('sends only the latest of several levels already due, not a burst (a worker that was down for days)', () => {
    const late = (level: string) => ({
      ...record(level),
      metadata: { ...record(level).metadata, now: '2018-10-04T10:00:00+08:00' },
    });
    spec.given([assigned()]).when(late('urge')).thenNothing();
    spec
      .given([assigned()])
      .when(late('supervise'))
      .then([
        {
          type: 'RectificationTaskEscalated',
          data: { ...(reminded('supervise', '督办').data as object), dueAt: '2018-10-03T01:00:00.000Z' } as never,
        },
      ]);
    const state = foldEvents(rectificationTaskDecider, [assigned()]);
    expect(remindersToSchedule(state, '2018-10-04T10:00:00+08:00').map((r) => r.reminderId)).toEqual([
      '0:supervise',
      '0:report',
    ]);
  });

  it('does not go back to a level earlier than one already recorded', () => {
    const supervised: RectificationTaskEvent = {
      type: 'RectificationTaskEscalated',
      data: { ...(reminded('supervise', '督办').data as object) } as never,
    };
    const state = foldEvents(rectificationTaskDecider, [assigned(), supervised]);
    expect(remindersToSchedule(state, '2018-10-04T10:00:00+08:00').map((r) => r.reminderId)).toEqual(['0:report']);
  });

  it('records each level once per deadline, however often the job retries', () => {
    spec.given([assigned(), reminded()]).when(record('reminder')).thenNothing();
  });

  it('records nothing once the deadline has moved (the job was for the old deadline)', () => {
    spec.given([assigned(), extended]).when(record('reminder', 0)).thenNothing();
  });

  it('owes the whole ladder again for a moved deadline', () => {
    const state = foldEvents(rectificationTaskDecider, [assigned(), reminded(), extended]);
    expect(owedReminders(state).map((r) => [r.reminderId, r.dueAt])).toEqual([
      ['1:reminder', '2018-10-28T01:00:00.000Z'],
      ['1:due_today', '2018-10-31T01:00:00.000Z'],
      ['1:urge', '2018-11-01T01:00:00.000Z'],
      ['1:supervise', '2018-11-03T01:00:00.000Z'],
      ['1:report', '2018-11-07T01:00:00.000Z'],
    ]);
    spec
      .given([assigned(), reminded(), extended])
      .when(record('reminder', 1, SYSTEM_ACTOR, '2018-10-28T09:00:05+08:00'))
      .then([reminded('reminder', '提醒', '2018-10-31', 1)]);
  });

  it('records nothing for a closed or cancelled task', () => {
    const cancelled: RectificationTaskEvent = {
      type: 'RectificationTaskCancelled',
      data: { taskId: TASK_ID, reason: '重复交办' },
    };
    spec.given([assigned(), cancelled]).when(record('urge')).thenNothing();
    expect(owedReminders(foldEvents(rectificationTaskDecider, [assigned(), cancelled]))).toEqual([]);
  });

  it('records nothing for a level the pinned ladder does not have', () => {
    spec.given([assigned()]).when(record('weekly')).thenNothing();
  });

  it('is refused to people: only the engine records reminders', () => {
    spec
      .given([assigned()])
      .when(record('reminder', 0, unitUser))
      .thenThrows(ForbiddenError, { code: 'SYSTEM_ONLY' });
  });

  it('is refused for a task that does not exist', () => {
    spec.given([]).when(record('reminder')).thenThrows(NotFoundError);
  });

  it('does not disturb the work around it: a resent progress report after a reminder is still recognised', () => {
    const progress: RectificationTaskEvent = {
      type: 'RectificationTaskProgressReported',
      data: { taskId: TASK_ID, unitId: 'unit-wangyan', quantityDone: null, note: '已完成一半', evidence: [] },
    };
    const accepted: RectificationTaskEvent = {
      type: 'RectificationTaskAccepted',
      data: { taskId: TASK_ID, unitId: 'unit-wangyan' },
    };
    spec
      .given([assigned(), accepted, progress, reminded()])
      .when({
        type: 'ReportRectificationProgress',
        data: { quantityDone: null, note: '已完成一半', evidence: [], subtaskStatuses: {} },
        metadata: { actor: unitUser, now: '2018-09-27T11:00:00+08:00', correlationId: 'c-3' },
      })
      .thenNothing();
  });
});

describe('MarkTaskReminderRead (a recipient opens it in the inbox)', () => {
  it('records who read it', () => {
    spec
      .given([assigned(), reminded()])
      .when(read('0:reminder'))
      .then([
        {
          type: 'RectificationTaskReminderRead',
          data: { taskId: TASK_ID, reminderId: '0:reminder', readBy: { userId: unitUser.userId, username: 'chen.wy' } },
        },
      ]);
  });

  it('records the first reading only', () => {
    const first = {
      type: 'RectificationTaskReminderRead',
      data: { taskId: TASK_ID, reminderId: '0:reminder', readBy: { userId: unitUser.userId, username: 'chen.wy' } },
    } as const;
    spec.given([assigned(), reminded(), first]).when(read('0:reminder')).thenNothing();
  });

  it('lets a leader record reading (reading is not commanding)', () => {
    spec
      .given([assigned(), reminded()])
      .when(read('0:reminder', leader))
      .then([
        {
          type: 'RectificationTaskReminderRead',
          data: { taskId: TASK_ID, reminderId: '0:reminder', readBy: { userId: leader.userId, username: 'wang.sj' } },
        },
      ]);
  });

  it('is refused, as not found, to an account the reminder was not sent to', () => {
    const stranger: Actor = { userId: 'user-miaoji-sun', username: 'sun.mj', role: 'unit', unitId: 'unit-miaoji' };
    spec
      .given([assigned(), reminded()])
      .when(read('0:reminder', stranger))
      .thenThrows(NotFoundError, { entity: 'reminder', id: '0:reminder' });
  });

  it('is refused for a reminder the task never had', () => {
    spec
      .given([assigned()])
      .when(read('0:reminder'))
      .thenThrows(NotFoundError, { entity: 'reminder', id: '0:reminder' });
  });
});
