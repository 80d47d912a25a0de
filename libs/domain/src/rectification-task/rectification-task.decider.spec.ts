import {
  Actor,
  foldEvents,
  ForbiddenError,
  IllegalTransitionError,
  RuleViolationError,
  ValidationError,
} from '../shared';
import { DEFAULT_REMINDER_POLICY } from '../reminders/reminder-policy';
import { DeciderSpecification } from '../testing/decider-spec';
import { RectificationTaskCommand, SubtaskStatuses } from './rectification-task.commands';
import { rectificationTaskDecider } from './rectification-task.decider';
import {
  RectificationTaskAccepted,
  RectificationTaskAssigned,
  RectificationTaskBrokenDown,
  RectificationTaskCancelled,
  RectificationTaskEvent,
  RectificationTaskExtensionApproved,
  RectificationTaskExtensionRefused,
  RectificationTaskExtensionRequested,
  RectificationTaskPlanRecorded,
  RectificationTaskProgressReported,
  RectificationTaskReassigned,
  RectificationTaskReopened,
  RectificationTaskSentBack,
  RectificationTaskSubmitted,
  RectificationTaskVerified,
  taskStreamName,
} from './rectification-task.events';
import { TASK_STATUS_LABELS, TASK_STATUSES, TaskStatus } from './rectification-task.state';

const spec = DeciderSpecification.for(rectificationTaskDecider);

// ---------------------------------------------------------------------------------------------- fixtures

const NOW = '2018-07-20T09:00:00+08:00';
const TASK_ID = 'task-caiying-housing';
const LEAD_UNIT = 'unit-wangyan-town';
const COOPERATING_UNIT = 'unit-funan-housing-bureau';
const NEW_LEAD_UNIT = 'unit-funan-civil-affairs';

const inspector: Actor = {
  userId: 'user-inspector-li',
  username: 'li.dc',
  role: 'inspector',
  unitId: 'unit-supervision-office',
};
const otherInspector: Actor = { userId: 'user-inspector-zhao', username: 'zhao.dc', role: 'inspector' };
const leadUser: Actor = { userId: 'user-wangyan-chen', username: 'chen.wy', role: 'unit', unitId: LEAD_UNIT };
const leadColleague: Actor = { userId: 'user-wangyan-liu', username: 'liu.wy', role: 'unit', unitId: LEAD_UNIT };
const cooperatingUser: Actor = { userId: 'user-housing-wu', username: 'wu.zj', role: 'unit', unitId: COOPERATING_UNIT };
const strangerUser: Actor = { userId: 'user-miaoji-sun', username: 'sun.mj', role: 'unit', unitId: 'unit-miaoji-town' };
const newLeadUser: Actor = { userId: 'user-civil-zhou', username: 'zhou.mz', role: 'unit', unitId: NEW_LEAD_UNIT };
const unitlessUser: Actor = { userId: 'user-nobody', username: 'nobody', role: 'unit', unitId: null };
const leader: Actor = { userId: 'user-leader-wang', username: 'wang.sj', role: 'leader', unitId: null };
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };

type TaskCommandType = RectificationTaskCommand['type'];
/** The commands people issue (reminders are recorded by the engine and have their own spec). */
type WorkflowCommandType = Exclude<TaskCommandType, 'RecordTaskReminder' | 'MarkTaskReminderRead'>;
type CommandOf<T extends TaskCommandType> = Extract<RectificationTaskCommand, { type: T }>;

function command<T extends TaskCommandType>(
  type: T,
  data: CommandOf<T>['data'],
  actor: Actor,
  now = NOW,
): CommandOf<T> {
  return { type, data, metadata: { actor, now, correlationId: 'correlation-1' } } as CommandOf<T>;
}

function withActor<C extends RectificationTaskCommand>(cmd: C, actor: Actor): C {
  return { ...cmd, metadata: { ...cmd.metadata, actor } };
}

const evidence = [{ ref: 'files/caiying/housing-after.jpg', name: '改造后照片' }];

const ASSIGN_DATA: CommandOf<'AssignRectificationTask'>['data'] = {
  taskId: TASK_ID,
  findingId: 'finding-caiying-housing',
  title: '蔡郢村危房改造',
  regionId: 'region-caiying',
  category: '危房改造',
  leadUnitId: LEAD_UNIT,
  cooperatingUnitIds: [COOPERATING_UNIT],
  deadline: '2018-09-30',
  measures: '逐户排查，一户一方案，9月底前全部完成改造',
  target: { quantity: 217, unit: '户' },
  campaign: { campaignId: 'campaign-housing-zero', deadline: '2018-09-30' },
  parent: null,
};

const assign = (data: Partial<CommandOf<'AssignRectificationTask'>['data']> = {}, actor = inspector, now = NOW) =>
  command('AssignRectificationTask', { ...ASSIGN_DATA, ...data }, actor, now);
const acceptBy = (actor = leadUser) => command('AcceptRectificationTask', {}, actor);
const plan = (text = '拆除旧房 217 户，新建安置房', actor = leadUser) =>
  command('RecordRectificationPlan', { plan: text }, actor);
const progress = (data: Partial<CommandOf<'ReportRectificationProgress'>['data']> = {}, actor = leadUser, now = NOW) =>
  command(
    'ReportRectificationProgress',
    { quantityDone: 120, note: '已完成 120 户', evidence: [], subtaskStatuses: {}, ...data },
    actor,
    now,
  );
const requestExtension = (
  data: Partial<CommandOf<'RequestDeadlineExtension'>['data']> = {},
  now = NOW,
  actor = leadUser,
) =>
  command(
    'RequestDeadlineExtension',
    {
      requestId: 'extension-1',
      requestedDeadline: '2018-10-31',
      reason: '汛期施工受阻',
      parentDeadline: null,
      ...data,
    },
    actor,
    now,
  );
const approve = (requestId = 'extension-1', actor = inspector) =>
  command('ApproveDeadlineExtension', { requestId, parentDeadline: null }, actor);
const refuse = (requestId = 'extension-1', reason = '理由不充分', actor = inspector) =>
  command('RefuseDeadlineExtension', { requestId, reason }, actor);
const submit = (data: Partial<CommandOf<'SubmitRectification'>['data']> = {}, actor = leadUser) =>
  command(
    'SubmitRectification',
    { report: '217 户危房全部改造完成', evidence, quantityDone: 217, subtaskStatuses: {}, ...data },
    actor,
  );
const verify = (note: string | null = null, actor = otherInspector) => command('VerifyRectification', { note }, actor);
const sendBack = (reason = '佐证材料不全', actor = otherInspector) =>
  command('SendBackRectification', { reason }, actor);
const reassign = (data: Partial<CommandOf<'ReassignRectificationTask'>['data']> = {}, actor = inspector) =>
  command(
    'ReassignRectificationTask',
    {
      leadUnitId: NEW_LEAD_UNIT,
      cooperatingUnitIds: [COOPERATING_UNIT],
      reason: '职责调整，改由民政局牵头',
      subtaskStatuses: {},
      ...data,
    },
    actor,
  );
const cancel = (reason = '问题重复交办', actor = inspector, subtaskStatuses: SubtaskStatuses = {}) =>
  command('CancelRectificationTask', { reason, subtaskStatuses }, actor);
const reopen = (data: Partial<CommandOf<'ReopenRectificationTask'>['data']> = {}, now = NOW, actor = inspector) =>
  command(
    'ReopenRectificationTask',
    { reason: '回头看发现 3 户返潮', deadline: '2018-11-15', parentStatus: null, parentDeadline: null, ...data },
    actor,
    now,
  );

// 逐级分解: 王堰镇 (LEAD_UNIT) breaks its task down to the villages below it.
const FUYANG = 'region-fuyang';
const FUNAN = 'region-funan';
const WANGYAN = 'region-wangyan';
const CAIYING = 'region-caiying';
const CAIYING_UNIT = 'unit-caiying-committee';
const XIAOZHUANG_UNIT = 'unit-xiaozhuang-committee';
const SUBTASK_ID = 'task-caiying-committee-housing';
const caiyingUser: Actor = { userId: 'user-caiying-zhang', username: 'zhang.cy', role: 'unit', unitId: CAIYING_UNIT };
const UNIT_REGION_PATHS: Record<string, readonly string[]> = {
  [LEAD_UNIT]: [FUYANG, FUNAN, WANGYAN],
  [CAIYING_UNIT]: [FUYANG, FUNAN, WANGYAN, CAIYING],
  [XIAOZHUANG_UNIT]: [FUYANG, FUNAN, WANGYAN, 'region-xiaozhuang'],
  [COOPERATING_UNIT]: [FUYANG, FUNAN],
  'unit-miaoji-town': [FUYANG, FUNAN, 'region-miaoji'],
  'unit-wangyan-school': [FUYANG, FUNAN, WANGYAN],
};
const UNIT_NAMES: Record<string, string> = {
  [CAIYING_UNIT]: '蔡郢村民委员会',
  [XIAOZHUANG_UNIT]: '小庄村民委员会',
  [COOPERATING_UNIT]: '阜南县住房和城乡建设局',
  'unit-miaoji-town': '苗集镇人民政府',
  'unit-wangyan-school': '王堰镇中心学校',
};
type RequestedSubtask = CommandOf<'BreakDownRectificationTask'>['data']['subtasks'][number];
const caiyingShare = (data: Partial<RequestedSubtask> = {}): RequestedSubtask => ({
  taskId: SUBTASK_ID,
  unitId: CAIYING_UNIT,
  deadline: '2018-09-15',
  measures: '蔡郢村拆除破旧房屋 150 户',
  title: null,
  share: 150,
  ...data,
});
const breakDown = (
  subtasks: readonly RequestedSubtask[] = [caiyingShare()],
  subtaskStatuses: Record<string, TaskStatus> = {},
  actor = leadUser,
  now = NOW,
) =>
  command(
    'BreakDownRectificationTask',
    { subtasks, unitRegionPaths: UNIT_REGION_PATHS, unitNames: UNIT_NAMES, subtaskStatuses },
    actor,
    now,
  );

const ASSIGNED_DATA: RectificationTaskAssigned['data'] = {
  taskId: TASK_ID,
  findingId: 'finding-caiying-housing',
  title: '蔡郢村危房改造',
  regionId: 'region-caiying',
  category: '危房改造',
  leadUnitId: LEAD_UNIT,
  cooperatingUnitIds: [COOPERATING_UNIT],
  deadline: '2018-09-30',
  measures: '逐户排查，一户一方案，9月底前全部完成改造',
  target: { quantity: 217, unit: '户' },
  campaignId: 'campaign-housing-zero',
  assignedBy: inspector.userId,
  parentTaskId: null,
  rootTaskId: TASK_ID,
  depth: 0,
  assigningUnitId: null,
  reminderPolicy: DEFAULT_REMINDER_POLICY,
};

const assigned = (data: Partial<RectificationTaskAssigned['data']> = {}): RectificationTaskAssigned => ({
  type: 'RectificationTaskAssigned',
  data: { ...ASSIGNED_DATA, ...data },
});
const accepted = (unitId = LEAD_UNIT): RectificationTaskAccepted => ({
  type: 'RectificationTaskAccepted',
  data: { taskId: TASK_ID, unitId },
});
const planRecorded = (text = '拆除旧房 217 户，新建安置房'): RectificationTaskPlanRecorded => ({
  type: 'RectificationTaskPlanRecorded',
  data: { taskId: TASK_ID, plan: text },
});
const progressReported = (
  data: Partial<RectificationTaskProgressReported['data']> = {},
): RectificationTaskProgressReported => ({
  type: 'RectificationTaskProgressReported',
  data: { taskId: TASK_ID, unitId: LEAD_UNIT, quantityDone: 120, note: '已完成 120 户', evidence: [], ...data },
});
const extensionRequested = (
  data: Partial<RectificationTaskExtensionRequested['data']> = {},
): RectificationTaskExtensionRequested => ({
  type: 'RectificationTaskExtensionRequested',
  data: {
    taskId: TASK_ID,
    requestId: 'extension-1',
    currentDeadline: '2018-09-30',
    requestedDeadline: '2018-10-31',
    reason: '汛期施工受阻',
    ...data,
  },
});
const extensionApproved = (
  data: Partial<RectificationTaskExtensionApproved['data']> = {},
): RectificationTaskExtensionApproved => ({
  type: 'RectificationTaskExtensionApproved',
  data: {
    taskId: TASK_ID,
    requestId: 'extension-1',
    previousDeadline: '2018-09-30',
    newDeadline: '2018-10-31',
    ...data,
  },
});
const extensionRefused = (requestId = 'extension-1', reason = '理由不充分'): RectificationTaskExtensionRefused => ({
  type: 'RectificationTaskExtensionRefused',
  data: { taskId: TASK_ID, requestId, reason },
});
const submitted = (data: Partial<RectificationTaskSubmitted['data']> = {}): RectificationTaskSubmitted => ({
  type: 'RectificationTaskSubmitted',
  data: {
    taskId: TASK_ID,
    report: '217 户危房全部改造完成',
    evidence,
    quantityDone: 217,
    submittedBy: { userId: leadUser.userId, unitId: LEAD_UNIT },
    ...data,
  },
});
const verified = (note: string | null = null, by = otherInspector): RectificationTaskVerified => ({
  type: 'RectificationTaskVerified',
  data: { taskId: TASK_ID, note, verifiedBy: { userId: by.userId, unitId: by.unitId ?? null } },
});
const sentBack = (sendBackCount = 1, reason = '佐证材料不全'): RectificationTaskSentBack => ({
  type: 'RectificationTaskSentBack',
  data: { taskId: TASK_ID, reason, sendBackCount },
});
const reassigned = (data: Partial<RectificationTaskReassigned['data']> = {}): RectificationTaskReassigned => ({
  type: 'RectificationTaskReassigned',
  data: {
    taskId: TASK_ID,
    previousLeadUnitId: LEAD_UNIT,
    leadUnitId: NEW_LEAD_UNIT,
    cooperatingUnitIds: [COOPERATING_UNIT],
    reason: '职责调整，改由民政局牵头',
    ...data,
  },
});
const cancelled = (reason = '问题重复交办'): RectificationTaskCancelled => ({
  type: 'RectificationTaskCancelled',
  data: { taskId: TASK_ID, reason },
});
const reopened = (data: Partial<RectificationTaskReopened['data']> = {}): RectificationTaskReopened => ({
  type: 'RectificationTaskReopened',
  data: {
    taskId: TASK_ID,
    reason: '回头看发现 3 户返潮',
    previousDeadline: '2018-09-30',
    deadline: '2018-11-15',
    reopenCount: 1,
    ...data,
  },
});

const WORKING: RectificationTaskEvent[] = [assigned(), accepted(), planRecorded()];
const WITH_QUANTITY: RectificationTaskEvent[] = [...WORKING, progressReported({ quantityDone: 217, note: '全部完成' })];
const SUBMITTED: RectificationTaskEvent[] = [...WITH_QUANTITY, submitted()];
const CLOSED: RectificationTaskEvent[] = [...SUBMITTED, verified()];

type TaskStatusOrNone = 'none' | TaskStatus;
const HISTORY: Record<TaskStatusOrNone, RectificationTaskEvent[]> = {
  none: [],
  assigned: [assigned()],
  accepted: [assigned(), accepted()],
  in_progress: WORKING,
  submitted: SUBMITTED,
  closed: CLOSED,
  cancelled: [assigned(), cancelled()],
};

const stateAfter = (events: RectificationTaskEvent[]) => foldEvents(rectificationTaskDecider, events);

// ---------------------------------------------------------------------------------------------- the state machine

describe('rectification task: the state machine', () => {
  it('names its stream and labels its statuses in Chinese', () => {
    expect(taskStreamName('42')).toBe('rectificationTask-42');
    expect(TASK_STATUSES.map((status) => TASK_STATUS_LABELS[status])).toEqual([
      '已交办',
      '已签收',
      '整改中',
      '待验收',
      '已销号',
      '已撤销',
    ]);
  });

  it('starts unassigned', () => {
    expect(rectificationTaskDecider.initialState()).toEqual({ status: 'none' });
  });

  it('reaches each status through its events', () => {
    for (const status of ['none', ...TASK_STATUSES] as const) expect(stateAfter(HISTORY[status]).status).toBe(status);
  });

  // A command that is well formed and issued by the right person, so that only the status can refuse it.
  const WELL_FORMED: { [T in WorkflowCommandType]: () => CommandOf<T> } = {
    AssignRectificationTask: () => assign({ leadUnitId: 'unit-other', cooperatingUnitIds: [] }),
    AcceptRectificationTask: () => acceptBy(),
    RecordRectificationPlan: () => plan('修订后的方案'),
    BreakDownRectificationTask: () => breakDown(),
    ReportRectificationProgress: () => progress({ quantityDone: 150 }),
    RequestDeadlineExtension: () => requestExtension(),
    ApproveDeadlineExtension: () => approve(),
    RefuseDeadlineExtension: () => refuse(),
    SubmitRectification: () => submit(),
    VerifyRectification: () => verify(),
    SendBackRectification: () => sendBack(),
    ReassignRectificationTask: () => reassign(),
    CancelRectificationTask: () => cancel(),
    ReopenRectificationTask: () => reopen(),
  };
  const ALLOWED_IN: { [T in WorkflowCommandType]: readonly TaskStatusOrNone[] } = {
    AssignRectificationTask: ['none'],
    AcceptRectificationTask: ['assigned', 'accepted'],
    RecordRectificationPlan: ['accepted', 'in_progress'],
    BreakDownRectificationTask: ['accepted', 'in_progress'],
    ReportRectificationProgress: ['accepted', 'in_progress'],
    RequestDeadlineExtension: ['accepted', 'in_progress'],
    ApproveDeadlineExtension: ['accepted', 'in_progress', 'submitted'],
    RefuseDeadlineExtension: ['accepted', 'in_progress', 'submitted'],
    SubmitRectification: ['in_progress', 'submitted'],
    VerifyRectification: ['submitted', 'closed'],
    SendBackRectification: ['submitted'],
    ReassignRectificationTask: ['assigned', 'accepted', 'in_progress'],
    CancelRectificationTask: ['assigned', 'accepted', 'in_progress', 'submitted', 'cancelled'],
    ReopenRectificationTask: ['closed'],
  };
  const cases = (Object.keys(ALLOWED_IN) as WorkflowCommandType[]).flatMap((type) =>
    (['none', ...TASK_STATUSES] as const).map((status) => ({
      type,
      status,
      allowed: ALLOWED_IN[type].includes(status),
    })),
  );

  it.each(cases.filter((c) => !c.allowed))('refuses $type while the task is $status', ({ type, status }) => {
    const error = spec.given(HISTORY[status]).when(WELL_FORMED[type]()).thenThrows(IllegalTransitionError, {
      code: 'ILLEGAL_TRANSITION',
      command: type,
      status,
    });
    expect(error.kind).toBe('illegal-transition');
  });

  it.each(cases.filter((c) => c.allowed))('lets $type through while the task is $status', ({ type, status }) => {
    let outcome: unknown = null;
    try {
      outcome = rectificationTaskDecider.decide(WELL_FORMED[type](), stateAfter(HISTORY[status]));
    } catch (error) {
      outcome = error;
    }
    expect(outcome).not.toBeInstanceOf(IllegalTransitionError);
    expect(outcome).not.toBeInstanceOf(ForbiddenError);
  });

  it('keeps deciding when events of other kinds share the stream (e.g. reminders)', () => {
    const reminder = { type: 'RectificationTaskReminderSent', data: { taskId: TASK_ID, level: 'reminder' } };
    const state = stateAfter([...WORKING, reminder as unknown as RectificationTaskEvent]);
    expect(state).toEqual(stateAfter(WORKING));
  });
});

// ---------------------------------------------------------------------------------------------- authorization

describe('rectification task: who may issue what', () => {
  const INSPECTOR_COMMANDS: [RectificationTaskCommand, RectificationTaskEvent[]][] = [
    [assign(), []],
    [approve(), [...WORKING, extensionRequested()]],
    [refuse(), [...WORKING, extensionRequested()]],
    [verify(), SUBMITTED],
    [sendBack(), SUBMITTED],
    [reassign(), WORKING],
    [cancel(), WORKING],
    [reopen(), CLOSED],
  ];
  const UNIT_COMMANDS: [RectificationTaskCommand, RectificationTaskEvent[]][] = [
    [acceptBy(), HISTORY.assigned],
    [plan(), HISTORY.accepted],
    [breakDown(), HISTORY.accepted],
    [progress(), HISTORY.accepted],
    [requestExtension(), WORKING],
    [submit(), WITH_QUANTITY],
  ];
  const ALL = [...INSPECTOR_COMMANDS, ...UNIT_COMMANDS];

  it.each(ALL.map(([cmd, given]) => ({ type: cmd.type, cmd, given })))(
    'a leader may not issue $type',
    ({ cmd, given }) => {
      spec.given(given).when(withActor(cmd, leader)).thenThrows(ForbiddenError, 'READ_ONLY_ROLE');
    },
  );

  it.each(
    INSPECTOR_COMMANDS.flatMap(([cmd, given]) =>
      [leadUser, admin].map((actor) => ({ type: cmd.type, role: actor.role, cmd: withActor(cmd, actor), given })),
    ),
  )('only an inspector issues $type, not a $role', ({ cmd, given }) => {
    spec.given(given).when(cmd).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
  });

  it.each(
    UNIT_COMMANDS.flatMap(([cmd, given]) =>
      [inspector, admin].map((actor) => ({ type: cmd.type, role: actor.role, cmd: withActor(cmd, actor), given })),
    ),
  )('only a unit issues $type, not an $role', ({ cmd, given }) => {
    spec.given(given).when(cmd).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
  });

  const LEAD_ONLY = UNIT_COMMANDS.filter(([cmd]) => cmd.type !== 'ReportRectificationProgress');
  it.each(
    LEAD_ONLY.flatMap(([cmd, given]) =>
      [cooperatingUser, strangerUser, unitlessUser].map((actor) => ({
        type: cmd.type,
        who: actor.username,
        cmd: withActor(cmd, actor),
        given,
      })),
    ),
  )('only the lead unit issues $type, not $who', ({ cmd, given }) => {
    spec.given(given).when(cmd).thenThrows(ForbiddenError, 'NOT_YOUR_UNIT');
  });

  it.each([strangerUser, unitlessUser])(
    'progress is reported by the lead or a cooperating unit, not $username',
    (actor) => {
      spec.given(HISTORY.accepted).when(progress({}, actor)).thenThrows(ForbiddenError, 'NOT_YOUR_UNIT');
    },
  );

  it('another user of the lead unit may act for it', () => {
    spec
      .given(HISTORY.accepted)
      .when(plan('方案', leadColleague))
      .then([planRecorded('方案')]);
  });
});

// ---------------------------------------------------------------------------------------------- 交办 assign

describe('AssignRectificationTask (交办)', () => {
  it('assigns a task to a lead unit with cooperating units, a deadline, measures, a target and a campaign', () => {
    spec.given([]).when(assign()).then([assigned()]);
  });

  it('starts the task with its original deadline and nothing done', () => {
    spec.given([]).when(assign()).thenState({
      status: 'assigned',
      deadline: '2018-09-30',
      originalDeadline: '2018-09-30',
      deadlineChanges: [],
      plan: null,
      quantityDone: null,
      sendBackCount: 0,
      reopenCount: 0,
      pendingExtension: null,
      submittedBy: null,
      assignedBy: inspector.userId,
    });
  });

  it('assigns a task without target, campaign or cooperating units', () => {
    spec
      .given([])
      .when(assign({ target: null, campaign: null, cooperatingUnitIds: [] }))
      .then([assigned({ target: null, campaignId: null, cooperatingUnitIds: [] })]);
  });

  it('records texts trimmed', () => {
    spec
      .given([])
      .when(assign({ title: '  蔡郢村危房改造 ', measures: '\n逐户排查，一户一方案，9月底前全部完成改造  ' }))
      .then([assigned()]);
  });

  it('accepts a deadline of today (Asia/Shanghai)', () => {
    spec
      .given([])
      .when(assign({ deadline: '2018-07-20' }))
      .then([assigned({ deadline: '2018-07-20' })]);
  });

  it('refuses a deadline before today', () => {
    spec
      .given([])
      .when(assign({ deadline: '2018-07-19' }))
      .thenThrows(RuleViolationError, { code: 'DEADLINE_IN_PAST', field: 'deadline' });
  });

  it('takes "today" in Asia/Shanghai, not UTC', () => {
    // 2018-07-19T16:30Z is already 2018-07-20 00:30 in Shanghai.
    spec
      .given([])
      .when(assign({ deadline: '2018-07-19' }, inspector, '2018-07-19T16:30:00Z'))
      .thenThrows(RuleViolationError, 'DEADLINE_IN_PAST');
    spec
      .given([])
      .when(assign({ deadline: '2018-07-19' }, inspector, '2018-07-19T15:59:59Z'))
      .then([assigned({ deadline: '2018-07-19' })]);
  });

  it("accepts a deadline on the campaign's deadline and refuses one after it", () => {
    spec
      .given([])
      .when(assign({ deadline: '2018-09-30' }))
      .then([assigned()]);
    spec
      .given([])
      .when(assign({ deadline: '2018-10-01' }))
      .thenThrows(RuleViolationError, { code: 'DEADLINE_AFTER_CAMPAIGN', field: 'deadline' });
  });

  it('refuses a lead unit that is also listed as cooperating', () => {
    spec
      .given([])
      .when(assign({ cooperatingUnitIds: [COOPERATING_UNIT, LEAD_UNIT] }))
      .thenThrows(RuleViolationError, { code: 'LEAD_UNIT_ALSO_COOPERATING', field: 'cooperatingUnitIds' });
  });

  it.each([
    ['taskId', { taskId: '' }],
    ['taskId', { taskId: ' task-1' }],
    ['findingId', { findingId: '   ' }],
    ['title', { title: '  ' }],
    ['title', { title: '题'.repeat(201) }],
    ['regionId', { regionId: '' }],
    ['category', { category: '' }],
    ['leadUnitId', { leadUnitId: '' }],
    ['cooperatingUnitIds', { cooperatingUnitIds: 'unit-a' }],
    ['cooperatingUnitIds[1]', { cooperatingUnitIds: ['unit-a', ''] }],
    ['cooperatingUnitIds', { cooperatingUnitIds: ['unit-a', 'unit-a'] }],
    ['deadline', { deadline: '2018-02-30' }],
    ['deadline', { deadline: '2018/09/30' }],
    ['deadline', { deadline: '' }],
    ['measures', { measures: ' ' }],
    ['measures', { measures: '措'.repeat(4001) }],
    ['target.quantity', { target: { quantity: 0, unit: '户' } }],
    ['target.quantity', { target: { quantity: -217, unit: '户' } }],
    ['target.quantity', { target: { quantity: Number.NaN, unit: '户' } }],
    ['target.quantity', { target: { quantity: Number.POSITIVE_INFINITY, unit: '户' } }],
    ['target.quantity', { target: { quantity: '217', unit: '户' } }],
    ['target.unit', { target: { quantity: 217, unit: ' ' } }],
    ['campaign.campaignId', { campaign: { campaignId: '', deadline: '2018-09-30' } }],
    ['campaign.deadline', { campaign: { campaignId: 'campaign-housing-zero', deadline: '30/09/2018' } }],
  ])('refuses malformed input: %s', (field, data) => {
    spec
      .given([])
      .when(assign(data as never))
      .thenThrows(ValidationError, { field });
  });

  it('accepts measures of exactly 4000 characters', () => {
    const measures = '措'.repeat(4000);
    spec
      .given([])
      .when(assign({ measures }))
      .then([assigned({ measures })]);
  });

  it('refuses a clock reading that is not an instant', () => {
    spec
      .given([])
      .when(assign({}, inspector, 'yesterday'))
      .thenThrows(ValidationError, { field: 'metadata.now' });
  });

  it('ignores an identical assignment sent again, even by another inspector and after the task moved on', () => {
    spec.given(HISTORY.assigned).when(assign()).thenNothing();
    spec
      .given([...WORKING, extensionRequested(), extensionApproved()])
      .when(assign({}, otherInspector))
      .thenNothing();
    spec
      .given([...WORKING, reassigned()])
      .when(assign())
      .thenNothing();
  });

  it('ignores an identical assignment sent again after its deadline has passed', () => {
    spec
      .given(HISTORY.assigned)
      .when(assign({}, inspector, '2018-10-08T09:00:00+08:00'))
      .thenNothing();
  });

  it.each([
    ['title', { title: '蔡郢村危房改造（二期）' }],
    ['deadline', { deadline: '2018-09-29' }],
    ['lead unit', { leadUnitId: NEW_LEAD_UNIT }],
    ['target', { target: { quantity: 216, unit: '户' } }],
    ['campaign', { campaign: null }],
  ])('refuses to assign the same task again with a different %s', (_, data) => {
    spec
      .given(HISTORY.assigned)
      .when(assign(data as never))
      .thenThrows(IllegalTransitionError, { command: 'AssignRectificationTask', status: 'assigned' });
  });
});

// ---------------------------------------------------------------------------------------------- 签收 accept

describe('AcceptRectificationTask (签收)', () => {
  it('the lead unit signs for the task', () => {
    spec.given(HISTORY.assigned).when(acceptBy()).then([accepted()]);
    spec.given(HISTORY.assigned).when(acceptBy()).thenState({ status: 'accepted' });
  });

  it('signing again changes nothing, whoever of the lead unit does it', () => {
    spec.given(HISTORY.accepted).when(acceptBy()).thenNothing();
    spec.given(HISTORY.accepted).when(acceptBy(leadColleague)).thenNothing();
  });

  it('another unit may not sign for an already signed task either', () => {
    spec.given(HISTORY.accepted).when(acceptBy(cooperatingUser)).thenThrows(ForbiddenError, 'NOT_YOUR_UNIT');
  });
});

// ---------------------------------------------------------------------------------------------- 整改措施 plan

describe('RecordRectificationPlan (整改措施)', () => {
  it('records the plan and starts the work', () => {
    spec.given(HISTORY.accepted).when(plan()).then([planRecorded()]);
    spec.given(HISTORY.accepted).when(plan()).thenState({ status: 'in_progress', plan: '拆除旧房 217 户，新建安置房' });
  });

  it('revises the plan', () => {
    spec
      .given(WORKING)
      .when(plan('一户一方案：改造 200 户，拆除 17 户'))
      .then([planRecorded('一户一方案：改造 200 户，拆除 17 户')]);
  });

  it('recording the same plan again changes nothing', () => {
    spec.given(WORKING).when(plan()).thenNothing();
    spec.given(WORKING).when(plan('  拆除旧房 217 户，新建安置房  ')).thenNothing();
  });

  it.each([[''], ['   '], ['方'.repeat(4001)]])('refuses an empty or too long plan (%#)', (text) => {
    spec.given(HISTORY.accepted).when(plan(text)).thenThrows(ValidationError, { field: 'plan' });
  });
});

// ---------------------------------------------------------------------------------------------- 进展 progress

describe('ReportRectificationProgress', () => {
  it('the lead unit reports a quantity with evidence, which starts the work', () => {
    spec
      .given(HISTORY.accepted)
      .when(progress({ evidence }))
      .then([progressReported({ evidence })]);
    spec.given(HISTORY.accepted).when(progress()).thenState({ status: 'in_progress', quantityDone: 120 });
  });

  it('a cooperating unit reports too', () => {
    spec
      .given(WORKING)
      .when(progress({ quantityDone: 130, note: '住建局完成鉴定' }, cooperatingUser))
      .then([progressReported({ unitId: COOPERATING_UNIT, quantityDone: 130, note: '住建局完成鉴定' })]);
  });

  it('a note without a quantity keeps the last quantity', () => {
    spec
      .given([...WORKING, progressReported()])
      .when(progress({ quantityDone: null, note: '雨天停工两日' }))
      .then([progressReported({ quantityDone: null, note: '雨天停工两日' })]);
    spec
      .given([...WORKING, progressReported()])
      .when(progress({ quantityDone: null, note: '雨天停工两日' }))
      .thenState({ quantityDone: 120 });
  });

  it('a quantity without a note is enough', () => {
    spec
      .given(WORKING)
      .when(progress({ note: '' }))
      .then([progressReported({ note: '' })]);
  });

  it('accepts 0 and exactly the target', () => {
    spec
      .given(WORKING)
      .when(progress({ quantityDone: 0 }))
      .then([progressReported({ quantityDone: 0 })]);
    spec
      .given(WORKING)
      .when(progress({ quantityDone: 217 }))
      .then([progressReported({ quantityDone: 217 })]);
  });

  it('refuses more than the target', () => {
    spec
      .given(WORKING)
      .when(progress({ quantityDone: 218 }))
      .thenThrows(RuleViolationError, { code: 'QUANTITY_ABOVE_TARGET', field: 'quantityDone' });
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['120']])('refuses a quantity of %p', (quantityDone) => {
    spec
      .given(WORKING)
      .when(progress({ quantityDone: quantityDone as never }))
      .thenThrows(ValidationError, { field: 'quantityDone' });
  });

  it('refuses a quantity on a task without a target', () => {
    spec
      .given([assigned({ target: null }), accepted()])
      .when(progress({ quantityDone: 3 }))
      .thenThrows(ValidationError, { field: 'quantityDone' });
  });

  it('refuses a report with neither a note nor a quantity', () => {
    spec
      .given(WORKING)
      .when(progress({ quantityDone: null, note: '  ' }))
      .thenThrows(ValidationError, { field: 'note' });
  });

  it.each([
    ['evidence[0].ref', [{ ref: '' }]],
    ['evidence[0].sha256', [{ ref: 'files/a.jpg', sha256: 'not-a-hash' }]],
    ['evidence[1]', [{ ref: 'files/a.jpg' }, 'files/b.jpg']],
    ['evidence', 'files/a.jpg'],
  ])('refuses malformed evidence: %s', (field, badEvidence) => {
    spec
      .given(WORKING)
      .when(progress({ evidence: badEvidence as never }))
      .thenThrows(ValidationError, { field });
  });

  it('records evidence normalised: trimmed, lower-case hash, no empty name', () => {
    const hash = 'AB'.repeat(32);
    spec
      .given(WORKING)
      .when(progress({ evidence: [{ ref: ' files/a.jpg ', name: '', sha256: hash }] }))
      .then([progressReported({ evidence: [{ ref: 'files/a.jpg', sha256: hash.toLowerCase() }] })]);
  });

  it('the same report sent twice in a row is recorded once', () => {
    spec
      .given([...WORKING, progressReported()])
      .when(progress())
      .thenNothing();
  });

  it('the same figures reported again later, or by another unit, are a new report', () => {
    spec
      .given([...WORKING, progressReported(), planRecorded('新方案')])
      .when(progress())
      .then([progressReported()]);
    spec
      .given([...WORKING, progressReported()])
      .when(progress({}, cooperatingUser))
      .then([progressReported({ unitId: COOPERATING_UNIT })]);
  });
});

// ---------------------------------------------------------------------------------------------- 申请延期 extension

describe('RequestDeadlineExtension (申请延期)', () => {
  it('asks for a later deadline with a reason', () => {
    spec.given(WORKING).when(requestExtension()).then([extensionRequested()]);
    spec
      .given(WORKING)
      .when(requestExtension())
      .thenState({
        deadline: '2018-09-30',
        pendingExtension: { requestId: 'extension-1', requestedDeadline: '2018-10-31', reason: '汛期施工受阻' },
        extensionRequestIds: ['extension-1'],
      });
  });

  it('may be asked as soon as the task is signed for', () => {
    spec.given(HISTORY.accepted).when(requestExtension()).then([extensionRequested()]);
  });

  it('is accepted until the last second of the deadline day (Asia/Shanghai)', () => {
    spec.given(WORKING).when(requestExtension({}, '2018-09-30T23:59:59+08:00')).then([extensionRequested()]);
    spec.given(WORKING).when(requestExtension({}, '2018-09-30T15:59:59.999Z')).then([extensionRequested()]);
  });

  it('is refused once the deadline has fallen due', () => {
    spec
      .given(WORKING)
      .when(requestExtension({}, '2018-10-01T00:00:00+08:00'))
      .thenThrows(RuleViolationError, 'EXTENSION_AFTER_DEADLINE');
    spec
      .given(WORKING)
      .when(requestExtension({}, '2018-09-30T16:00:00Z'))
      .thenThrows(RuleViolationError, 'EXTENSION_AFTER_DEADLINE');
  });

  it.each([['2018-09-30'], ['2018-09-15']])(
    'refuses a requested deadline of %s, not later than the current one',
    (requestedDeadline) => {
      spec
        .given(WORKING)
        .when(requestExtension({ requestedDeadline }))
        .thenThrows(RuleViolationError, { code: 'EXTENSION_NOT_LATER', field: 'requestedDeadline' });
    },
  );

  it('accepts a requested deadline one day later', () => {
    spec
      .given(WORKING)
      .when(requestExtension({ requestedDeadline: '2018-10-01' }))
      .then([extensionRequested({ requestedDeadline: '2018-10-01' })]);
  });

  it.each([
    ['reason', { reason: '   ' }],
    ['reason', { reason: '因'.repeat(4001) }],
    ['requestedDeadline', { requestedDeadline: '2018-10-32' }],
    ['requestId', { requestId: '' }],
  ])('refuses malformed input: %s', (field, data) => {
    spec.given(WORKING).when(requestExtension(data)).thenThrows(ValidationError, { field });
  });

  it('only one request may be pending at a time', () => {
    spec
      .given([...WORKING, extensionRequested()])
      .when(requestExtension({ requestId: 'extension-2', requestedDeadline: '2018-11-30' }))
      .thenThrows(RuleViolationError, 'EXTENSION_ALREADY_PENDING');
  });

  it('the same request sent again changes nothing', () => {
    spec
      .given([...WORKING, extensionRequested()])
      .when(requestExtension())
      .thenNothing();
  });

  it('a request id cannot be reused for other content or after a decision', () => {
    spec
      .given([...WORKING, extensionRequested()])
      .when(requestExtension({ requestedDeadline: '2018-11-30' }))
      .thenThrows(RuleViolationError, { code: 'EXTENSION_REQUEST_ID_USED', field: 'requestId' });
    spec
      .given([...WORKING, extensionRequested(), extensionRefused()])
      .when(requestExtension())
      .thenThrows(RuleViolationError, 'EXTENSION_REQUEST_ID_USED');
  });

  it('after a refusal, a new request may be made', () => {
    spec
      .given([...WORKING, extensionRequested(), extensionRefused()])
      .when(requestExtension({ requestId: 'extension-2', reason: '补充材料：汛期停工 20 天' }))
      .then([extensionRequested({ requestId: 'extension-2', reason: '补充材料：汛期停工 20 天' })]);
  });

  it('after an approval, the new deadline governs the next request', () => {
    const given = [...WORKING, extensionRequested(), extensionApproved()];
    spec
      .given(given)
      .when(
        requestExtension({ requestId: 'extension-2', requestedDeadline: '2018-11-15' }, '2018-10-31T20:00:00+08:00'),
      )
      .then([
        extensionRequested({
          requestId: 'extension-2',
          currentDeadline: '2018-10-31',
          requestedDeadline: '2018-11-15',
        }),
      ]);
    spec
      .given(given)
      .when(
        requestExtension({ requestId: 'extension-2', requestedDeadline: '2018-11-15' }, '2018-11-01T00:00:00+08:00'),
      )
      .thenThrows(RuleViolationError, 'EXTENSION_AFTER_DEADLINE');
  });
});

describe('ApproveDeadlineExtension', () => {
  const PENDING = [...WORKING, extensionRequested()];

  it('moves the deadline to the requested date and keeps the old one in history', () => {
    spec.given(PENDING).when(approve()).then([extensionApproved()]);
    spec
      .given(PENDING)
      .when(approve())
      .thenState({
        deadline: '2018-10-31',
        originalDeadline: '2018-09-30',
        deadlineChanges: [{ from: '2018-09-30', to: '2018-10-31', reason: '汛期施工受阻', requestId: 'extension-1' }],
        pendingExtension: null,
        extensionRequestIds: ['extension-1'],
      });
  });

  it('may be decided after the deadline has passed: the request was made in time', () => {
    spec
      .given(PENDING)
      .when(
        command(
          'ApproveDeadlineExtension',
          { requestId: 'extension-1', parentDeadline: null },
          inspector,
          '2018-10-02T09:00:00+08:00',
        ),
      )
      .then([extensionApproved()]);
  });

  it('may be decided while the work awaits sign-off', () => {
    spec
      .given([...PENDING, submitted()])
      .when(approve())
      .then([extensionApproved()]);
  });

  it('approving again changes nothing', () => {
    spec
      .given([...PENDING, extensionApproved()])
      .when(approve())
      .thenNothing();
  });

  it.each([
    ['no request at all', WORKING, 'extension-1'],
    ['an unknown request', PENDING, 'extension-9'],
    ['a refused request', [...PENDING, extensionRefused()], 'extension-1'],
    ['a request dropped by a reassignment', [...PENDING, reassigned(), accepted(NEW_LEAD_UNIT)], 'extension-1'],
  ])('refuses to approve %s', (_, given, requestId) => {
    spec
      .given(given)
      .when(approve(requestId))
      .thenThrows(RuleViolationError, { code: 'EXTENSION_NOT_PENDING', field: 'requestId' });
  });

  it('refuses a missing request id', () => {
    spec.given(PENDING).when(approve('')).thenThrows(ValidationError, { field: 'requestId' });
  });
});

describe('RefuseDeadlineExtension', () => {
  const PENDING = [...WORKING, extensionRequested()];

  it('refuses the request with a reason; the deadline stays', () => {
    spec.given(PENDING).when(refuse()).then([extensionRefused()]);
    spec
      .given(PENDING)
      .when(refuse())
      .thenState({ deadline: '2018-09-30', deadlineChanges: [], pendingExtension: null });
  });

  it('refusing again changes nothing', () => {
    spec
      .given([...PENDING, extensionRefused()])
      .when(refuse())
      .thenNothing();
  });

  it('requires a reason', () => {
    spec.given(PENDING).when(refuse('extension-1', ' ')).thenThrows(ValidationError, { field: 'reason' });
  });

  it.each([
    ['no request at all', WORKING, 'extension-1'],
    ['an unknown request', PENDING, 'extension-9'],
    ['an approved request', [...PENDING, extensionApproved()], 'extension-1'],
  ])('cannot refuse %s', (_, given, requestId) => {
    spec
      .given(given)
      .when(refuse(requestId))
      .thenThrows(RuleViolationError, { code: 'EXTENSION_NOT_PENDING', field: 'requestId' });
  });
});

// ---------------------------------------------------------------------------------------------- 申请销号 submit

describe('SubmitRectification (申请销号)', () => {
  it('submits the completion report with its evidence and the target met', () => {
    spec.given(WORKING).when(submit()).then([submitted()]);
    spec
      .given(WORKING)
      .when(submit())
      .thenState({
        status: 'submitted',
        quantityDone: 217,
        submittedBy: { userId: leadUser.userId, unitId: LEAD_UNIT },
      });
  });

  it('takes the last reported quantity when the submission gives none', () => {
    spec
      .given(WITH_QUANTITY)
      .when(submit({ quantityDone: null }))
      .then([submitted({ quantityDone: 217 })]);
  });

  it.each([
    ['less than the target', WORKING, 216],
    ['nothing reported', WORKING, null],
    ['less than the target reported', [...WORKING, progressReported({ quantityDone: 200 })], null],
  ])('refuses when the target is not met: %s', (_, given, quantityDone) => {
    spec
      .given(given)
      .when(submit({ quantityDone }))
      .thenThrows(RuleViolationError, { code: 'TARGET_NOT_MET', field: 'quantityDone' });
  });

  it('refuses more than the target', () => {
    spec
      .given(WORKING)
      .when(submit({ quantityDone: 218 }))
      .thenThrows(RuleViolationError, { code: 'QUANTITY_ABOVE_TARGET', field: 'quantityDone' });
  });

  it('refuses a submission without evidence', () => {
    spec
      .given(WORKING)
      .when(submit({ evidence: [] }))
      .thenThrows(RuleViolationError, { code: 'EVIDENCE_REQUIRED', field: 'evidence' });
  });

  it('a task without a target is submitted without a quantity', () => {
    spec
      .given([assigned({ target: null }), accepted(), planRecorded()])
      .when(submit({ quantityDone: null }))
      .then([submitted({ quantityDone: null })]);
    spec
      .given([assigned({ target: null }), accepted(), planRecorded()])
      .when(submit({ quantityDone: 1 }))
      .thenThrows(ValidationError, { field: 'quantityDone' });
  });

  it.each([
    ['report', { report: '  ' }],
    ['report', { report: '报'.repeat(4001) }],
    ['evidence[0].ref', { evidence: [{ ref: ' ' }] }],
    ['quantityDone', { quantityDone: -5 }],
  ])('refuses malformed input: %s', (field, data) => {
    spec
      .given(WORKING)
      .when(submit(data as never))
      .thenThrows(ValidationError, { field });
  });

  it('a pending extension request stays pending', () => {
    spec
      .given([...WORKING, extensionRequested()])
      .when(submit())
      .thenState({ status: 'submitted', pendingExtension: { requestId: 'extension-1' } });
  });

  it('the same submission sent again changes nothing', () => {
    spec.given(SUBMITTED).when(submit()).thenNothing();
    spec
      .given(SUBMITTED)
      .when(submit({ quantityDone: null }))
      .thenNothing();
  });

  it('a different submission while one awaits sign-off is refused', () => {
    spec
      .given(SUBMITTED)
      .when(submit({ report: '补充说明' }))
      .thenThrows(IllegalTransitionError, { command: 'SubmitRectification', status: 'submitted' });
    spec.given(SUBMITTED).when(submit({}, leadColleague)).thenThrows(IllegalTransitionError, 'ILLEGAL_TRANSITION');
  });
});

// ---------------------------------------------------------------------------------------------- 验收销号 verify

describe('VerifyRectification (验收销号)', () => {
  it('an inspector outside the working units signs off and closes the task', () => {
    spec
      .given(SUBMITTED)
      .when(verify('现场核查合格', inspector))
      .then([verified('现场核查合格', inspector)]);
    spec
      .given(SUBMITTED)
      .when(verify(null))
      .thenState({
        status: 'closed',
        verifiedBy: { userId: otherInspector.userId, unitId: null },
        submittedBy: { userId: leadUser.userId, unitId: LEAD_UNIT },
      });
  });

  it('records an empty note as none, and the verifier without a unit as unit null', () => {
    spec
      .given(SUBMITTED)
      .when(verify('   '))
      .then([verified(null, otherInspector)]);
  });

  it('refuses a note longer than 4000 characters', () => {
    spec
      .given(SUBMITTED)
      .when(verify('注'.repeat(4001)))
      .thenThrows(ValidationError, { field: 'note' });
  });

  it('drops an extension request still pending', () => {
    spec
      .given([...WORKING, extensionRequested(), submitted()])
      .when(verify())
      .thenState({ status: 'closed', pendingExtension: null, extensionOutcomes: { 'extension-1': 'dropped' } });
  });

  it('verifying again changes nothing', () => {
    spec.given(CLOSED).when(verify()).thenNothing();
  });

  const selfSignOffs: [string, Actor][] = [
    [
      'an inspector of the lead unit',
      { userId: 'user-wangyan-inspector', username: 'x', role: 'inspector', unitId: LEAD_UNIT },
    ],
    [
      'an inspector of a cooperating unit',
      { userId: 'user-housing-inspector', username: 'y', role: 'inspector', unitId: COOPERATING_UNIT },
    ],
    ['the user who submitted', { ...leadUser, role: 'inspector', unitId: null }],
  ];

  it.each(selfSignOffs)('%s may not sign off', (_, actor) => {
    spec.given(SUBMITTED).when(verify(null, actor)).thenThrows(ForbiddenError, 'SELF_SIGN_OFF');
  });

  it.each(selfSignOffs)('%s may not send back either', (_, actor) => {
    spec.given(SUBMITTED).when(sendBack('不合格', actor)).thenThrows(ForbiddenError, 'SELF_SIGN_OFF');
  });
});

// ---------------------------------------------------------------------------------------------- 退回重办 send back

describe('SendBackRectification (退回重办)', () => {
  it('sends the work back with a reason and counts it', () => {
    spec
      .given(SUBMITTED)
      .when(sendBack())
      .then([sentBack(1)]);
    spec.given(SUBMITTED).when(sendBack()).thenState({ status: 'in_progress', sendBackCount: 1, submittedBy: null });
  });

  it('counts every send-back', () => {
    spec
      .given([...SUBMITTED, sentBack(1), submitted()])
      .when(sendBack('仍有 2 户未完成'))
      .then([sentBack(2, '仍有 2 户未完成')]);
  });

  it('requires a reason', () => {
    spec.given(SUBMITTED).when(sendBack('  ')).thenThrows(ValidationError, { field: 'reason' });
  });

  it('the unit resubmits after a send-back', () => {
    spec
      .given([...SUBMITTED, sentBack(1)])
      .when(submit({ report: '补充佐证材料' }))
      .then([submitted({ report: '补充佐证材料' })]);
  });
});

// ---------------------------------------------------------------------------------------------- reassign

describe('ReassignRectificationTask', () => {
  it('hands the task to another lead unit, which must sign for it again', () => {
    spec.given(WORKING).when(reassign()).then([reassigned()]);
    spec
      .given(WORKING)
      .when(reassign())
      .thenState({ status: 'assigned', leadUnitId: NEW_LEAD_UNIT, plan: '拆除旧房 217 户，新建安置房' });
    spec
      .given([...WORKING, reassigned()])
      .when(acceptBy(newLeadUser))
      .then([accepted(NEW_LEAD_UNIT)]);
    spec
      .given([...WORKING, reassigned()])
      .when(acceptBy(leadUser))
      .thenThrows(ForbiddenError, 'NOT_YOUR_UNIT');
  });

  it('may make the former lead a cooperating unit', () => {
    spec
      .given(HISTORY.assigned)
      .when(reassign({ cooperatingUnitIds: [LEAD_UNIT] }))
      .then([reassigned({ cooperatingUnitIds: [LEAD_UNIT] })]);
  });

  it('drops a pending extension request', () => {
    spec
      .given([...WORKING, extensionRequested()])
      .when(reassign())
      .thenState({ pendingExtension: null, extensionOutcomes: { 'extension-1': 'dropped' } });
  });

  it('refuses the unit that already leads', () => {
    spec
      .given(WORKING)
      .when(reassign({ leadUnitId: LEAD_UNIT, cooperatingUnitIds: [] }))
      .thenThrows(RuleViolationError, { code: 'SAME_LEAD_UNIT', field: 'leadUnitId' });
  });

  it('refuses a lead unit also listed as cooperating', () => {
    spec
      .given(WORKING)
      .when(reassign({ cooperatingUnitIds: [NEW_LEAD_UNIT] }))
      .thenThrows(RuleViolationError, { code: 'LEAD_UNIT_ALSO_COOPERATING', field: 'cooperatingUnitIds' });
  });

  it.each([
    ['leadUnitId', { leadUnitId: '' }],
    ['reason', { reason: '' }],
    ['cooperatingUnitIds', { cooperatingUnitIds: null }],
  ])('refuses malformed input: %s', (field, data) => {
    spec
      .given(WORKING)
      .when(reassign(data as never))
      .thenThrows(ValidationError, { field });
  });
});

// ---------------------------------------------------------------------------------------------- 撤销 cancel

describe('CancelRectificationTask (撤销)', () => {
  it.each(['assigned', 'accepted', 'in_progress', 'submitted'] as const)(
    'cancels a task that is %s, with a reason',
    (status) => {
      spec.given(HISTORY[status]).when(cancel()).then([cancelled()]);
    },
  );

  it('drops a pending extension request', () => {
    spec
      .given([...WORKING, extensionRequested()])
      .when(cancel())
      .thenState({ status: 'cancelled', cancelReason: '问题重复交办', pendingExtension: null });
  });

  it('requires a reason', () => {
    spec.given(WORKING).when(cancel(' ')).thenThrows(ValidationError, { field: 'reason' });
  });

  it('cancelling again with the same reason changes nothing; with another reason it is refused', () => {
    spec.given(HISTORY.cancelled).when(cancel()).thenNothing();
    spec
      .given(HISTORY.cancelled)
      .when(cancel('另一个理由'))
      .thenThrows(IllegalTransitionError, { command: 'CancelRectificationTask', status: 'cancelled' });
  });
});

// ---------------------------------------------------------------------------------------------- 回头看 reopen

describe('ReopenRectificationTask (回头看)', () => {
  const LATER = '2018-10-20T10:00:00+08:00';

  it('reopens a closed task with a reason and a new deadline; the old deadline stays in history', () => {
    spec.given(CLOSED).when(reopen({}, LATER)).then([reopened()]);
    spec
      .given(CLOSED)
      .when(reopen({}, LATER))
      .thenState({
        status: 'in_progress',
        deadline: '2018-11-15',
        originalDeadline: '2018-09-30',
        deadlineChanges: [{ from: '2018-09-30', to: '2018-11-15', reason: '回头看发现 3 户返潮', requestId: null }],
        reopenCount: 1,
        submittedBy: null,
        verifiedBy: null,
      });
  });

  it('counts every reopening and follows extensions', () => {
    spec
      .given([...CLOSED, reopened(), submitted(), verified()])
      .when(reopen({ deadline: '2018-12-31', reason: '再次返潮' }, '2018-12-01T10:00:00+08:00'))
      .then([reopened({ previousDeadline: '2018-11-15', deadline: '2018-12-31', reopenCount: 2, reason: '再次返潮' })]);
  });

  it('accepts today as the new deadline and refuses a day before', () => {
    spec
      .given(CLOSED)
      .when(reopen({ deadline: '2018-10-20' }, LATER))
      .then([reopened({ deadline: '2018-10-20' })]);
    spec
      .given(CLOSED)
      .when(reopen({ deadline: '2018-10-19' }, LATER))
      .thenThrows(RuleViolationError, { code: 'DEADLINE_IN_PAST', field: 'deadline' });
  });

  it.each([
    ['reason', { reason: '' }],
    ['deadline', { deadline: '2018-13-01' }],
  ])('refuses malformed input: %s', (field, data) => {
    spec.given(CLOSED).when(reopen(data, LATER)).thenThrows(ValidationError, { field });
  });

  it('the reopened task goes through sign-off again', () => {
    spec
      .given([...CLOSED, reopened()])
      .when(submit({ report: '3 户返潮已处理' }))
      .then([submitted({ report: '3 户返潮已处理' })]);
  });
});

// ---------------------------------------------------------------------------------------------- a whole story

describe('a task from assignment to sign-off', () => {
  it('keeps every step: deadline changes, send-backs, who submitted and who signed off', () => {
    const story: [RectificationTaskCommand, RectificationTaskEvent['type']][] = [
      [assign(), 'RectificationTaskAssigned'],
      [acceptBy(), 'RectificationTaskAccepted'],
      [plan(), 'RectificationTaskPlanRecorded'],
      [
        progress({ quantityDone: 150, evidence }, leadUser, '2018-08-20T18:00:00+08:00'),
        'RectificationTaskProgressReported',
      ],
      [requestExtension({}, '2018-09-25T10:00:00+08:00'), 'RectificationTaskExtensionRequested'],
      [approve(), 'RectificationTaskExtensionApproved'],
      [progress({ quantityDone: 217, note: '全部完成' }, cooperatingUser), 'RectificationTaskProgressReported'],
      [submit({ quantityDone: null }), 'RectificationTaskSubmitted'],
      [sendBack(), 'RectificationTaskSentBack'],
      [submit({ quantityDone: null, report: '补充照片' }), 'RectificationTaskSubmitted'],
      [verify('合格'), 'RectificationTaskVerified'],
    ];
    let state = rectificationTaskDecider.initialState();
    for (const [cmd, expectedType] of story) {
      const events = rectificationTaskDecider.decide(cmd, state);
      expect(events.map((e) => e.type)).toEqual([expectedType]);
      state = events.reduce(rectificationTaskDecider.evolve, state);
    }
    expect(state).toMatchObject({
      status: 'closed',
      deadline: '2018-10-31',
      originalDeadline: '2018-09-30',
      deadlineChanges: [{ from: '2018-09-30', to: '2018-10-31', requestId: 'extension-1' }],
      quantityDone: 217,
      sendBackCount: 1,
      submittedBy: { userId: leadUser.userId, unitId: LEAD_UNIT },
      submission: { report: '补充照片', evidence },
      verifiedBy: { userId: otherInspector.userId, unitId: null },
    });
  });
});

// ---------------------------------------------------------------------------------------------- 逐级分解 break down

const brokenDown = (
  subtasks: RectificationTaskBrokenDown['data']['subtasks'] = [caiyingAssignment()],
): RectificationTaskBrokenDown => ({
  type: 'RectificationTaskBrokenDown',
  data: { taskId: TASK_ID, subtasks, brokenDownBy: { userId: leadUser.userId, unitId: LEAD_UNIT } },
});
function caiyingAssignment(
  data: Partial<RectificationTaskBrokenDown['data']['subtasks'][number]> = {},
): RectificationTaskBrokenDown['data']['subtasks'][number] {
  return {
    taskId: SUBTASK_ID,
    title: '蔡郢村危房改造（蔡郢村民委员会）',
    regionId: CAIYING,
    leadUnitId: CAIYING_UNIT,
    deadline: '2018-09-15',
    measures: '蔡郢村拆除破旧房屋 150 户',
    target: { quantity: 150, unit: '户' },
    ...data,
  };
}
/** 小庄村's sub-task, untitled: placed at the parent's place (小庄村 is not below 蔡郢村). */
const xiaozhuangAssignment = (data: Partial<RectificationTaskBrokenDown['data']['subtasks'][number]> = {}) =>
  caiyingAssignment({
    taskId: 'task-xiaozhuang',
    title: '蔡郢村危房改造（小庄村民委员会）',
    leadUnitId: XIAOZHUANG_UNIT,
    regionId: 'region-caiying',
    ...data,
  });
const BROKEN_DOWN: RectificationTaskEvent[] = [...WORKING, brokenDown()];

describe('BreakDownRectificationTask (分解)', () => {
  it('records the sub-tasks on the parent, each placed where its unit is and with its share of the target', () => {
    spec.given(HISTORY.accepted).when(breakDown()).then([brokenDown()]);
    spec
      .given(HISTORY.accepted)
      .when(breakDown())
      .thenState({
        status: 'in_progress',
        subtasks: [caiyingAssignment()],
      });
  });

  it('may hand a cooperating unit a sub-task, placed at the parent’s place, with its own title and no share', () => {
    spec
      .given(WORKING)
      .when(
        breakDown([caiyingShare({ taskId: 'task-bureau', unitId: COOPERATING_UNIT, title: '技术指导', share: null })]),
      )
      .then([
        brokenDown([
          caiyingAssignment({
            taskId: 'task-bureau',
            leadUnitId: COOPERATING_UNIT,
            title: '技术指导',
            regionId: 'region-caiying',
            target: null,
          }),
        ]),
      ]);
  });

  it('may break down again later, as long as the shares stay within the target', () => {
    const more = breakDown([caiyingShare({ taskId: 'task-xiaozhuang', unitId: XIAOZHUANG_UNIT, share: 67 })]);
    spec
      .given(BROKEN_DOWN)
      .when(more)
      .then([brokenDown([xiaozhuangAssignment({ target: { quantity: 67, unit: '户' } })])]);
  });

  it('titles an untitled sub-task with the parent’s title and its unit’s name, a titled one as asked', () => {
    spec
      .given(WORKING)
      .when(
        breakDown([
          caiyingShare({ share: 100 }),
          caiyingShare({ taskId: 'task-xiaozhuang', unitId: XIAOZHUANG_UNIT, title: '小庄村危房改造', share: 50 }),
        ]),
      )
      .then([
        brokenDown([
          caiyingAssignment({ title: '蔡郢村危房改造（蔡郢村民委员会）', target: { quantity: 100, unit: '户' } }),
          xiaozhuangAssignment({ title: '小庄村危房改造', target: { quantity: 50, unit: '户' } }),
        ]),
      ]);
  });

  it('cuts a long parent title short so that the default title keeps the unit’s name within 200 characters', () => {
    const [event] = rectificationTaskDecider.decide(
      breakDown(),
      stateAfter([assigned({ title: '危'.repeat(200) }), accepted()]),
    ) as RectificationTaskBrokenDown[];
    const { title } = event.data.subtasks[0];
    expect([title.length, title.endsWith('…（蔡郢村民委员会）'), title.startsWith('危危')]).toEqual([200, true, true]);
  });

  it('refuses an untitled sub-task for a unit whose name the directory does not give, naming the unit field', () => {
    const withoutName = breakDown();
    const command = { ...withoutName, data: { ...withoutName.data, unitNames: {} } };
    spec.given(WORKING).when(command).thenThrows(ValidationError, { field: 'subtasks.0.unitId', code: 'UNKNOWN_UNIT' });
  });

  it('places a village below the parent’s place at the village itself', () => {
    const atTown = assigned({ regionId: WANGYAN });
    const [event] = rectificationTaskDecider.decide(breakDown(), stateAfter([atTown, accepted()]));
    expect((event as RectificationTaskBrokenDown).data.subtasks[0].regionId).toBe(CAIYING);
  });

  it('is safe to resend: the same sub-tasks again change nothing', () => {
    spec.given(BROKEN_DOWN).when(breakDown()).thenNothing();
  });

  it('refuses a sub-task id used before with other content', () => {
    spec
      .given(BROKEN_DOWN)
      .when(breakDown([caiyingShare({ share: 140 })]))
      .thenThrows(RuleViolationError, { code: 'SUBTASK_ID_USED', field: 'subtasks' });
  });

  it('is issued by a user of the lead unit only', () => {
    for (const actor of [cooperatingUser, strangerUser, unitlessUser, caiyingUser]) {
      spec
        .given(WORKING)
        .when(breakDown(undefined, {}, actor))
        .thenThrows(ForbiddenError, 'NOT_YOUR_UNIT');
    }
    spec
      .given(WORKING)
      .when(breakDown(undefined, {}, inspector))
      .thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
    spec
      .given(WORKING)
      .when(breakDown(undefined, {}, leader))
      .thenThrows(ForbiddenError, 'READ_ONLY_ROLE');
  });

  it.each([
    ['no sub-task at all', [], 'subtasks'],
    ['a blank measure', [caiyingShare({ measures: ' ' })], 'subtasks.0.measures'],
    ['a malformed deadline', [caiyingShare({ deadline: '2018-09-31' })], 'subtasks.0.deadline'],
    ['a share of 0', [caiyingShare({ share: 0 })], 'subtasks.0.share'],
    ['a negative share', [caiyingShare({ share: -3 })], 'subtasks.0.share'],
    ['a title too long', [caiyingShare({ title: '长'.repeat(201) })], 'subtasks.0.title'],
    ['the same unit twice', [caiyingShare(), caiyingShare({ taskId: 'task-2', share: 1 })], 'subtasks.1.unitId'],
    ['the same id twice', [caiyingShare(), caiyingShare({ unitId: XIAOZHUANG_UNIT, share: 1 })], 'subtasks.1.taskId'],
    ['more than 50 sub-tasks', Array.from({ length: 51 }, (_, i) => caiyingShare({ taskId: `t${i}` })), 'subtasks'],
  ])('refuses %s', (_, subtasks, field) => {
    spec
      .given(WORKING)
      .when(breakDown(subtasks as RequestedSubtask[]))
      .thenThrows(ValidationError, { field });
  });

  it('refuses a sub-task for the unit’s own unit', () => {
    spec
      .given(WORKING)
      .when(breakDown([caiyingShare({ unitId: LEAD_UNIT })]))
      .thenThrows(RuleViolationError, { code: 'SUBTASK_FOR_OWN_UNIT', field: 'subtasks.0.unitId' });
  });

  it.each([
    ['a town beside it', 'unit-miaoji-town'],
    ['another unit of its own region (not below it)', 'unit-wangyan-school'],
  ])('refuses a sub-task for a unit outside the subtree: %s', (_, unitId) => {
    spec
      .given(WORKING)
      .when(breakDown([caiyingShare({ unitId })]))
      .thenThrows(RuleViolationError, { code: 'SUBTASK_UNIT_OUTSIDE_SUBTREE', field: 'subtasks.0.unitId' });
  });

  it('refuses a unit whose region is not known', () => {
    spec
      .given(WORKING)
      .when(breakDown([caiyingShare({ unitId: 'unit-nowhere' })]))
      .thenThrows(ValidationError, { code: 'UNKNOWN_UNIT', field: 'subtasks.0.unitId' });
  });

  it('refuses a deadline after the parent’s, or before today', () => {
    spec
      .given(WORKING)
      .when(breakDown([caiyingShare({ deadline: '2018-10-01' })]))
      .thenThrows(RuleViolationError, { code: 'SUBTASK_DEADLINE_AFTER_PARENT', field: 'subtasks.0.deadline' });
    spec
      .given(WORKING)
      .when(breakDown([caiyingShare({ deadline: '2018-07-19' })]))
      .thenThrows(RuleViolationError, { code: 'DEADLINE_IN_PAST', field: 'subtasks.0.deadline' });
  });

  it('allows a deadline on the parent’s own deadline, and shares adding up to the whole target', () => {
    spec
      .given(WORKING)
      .when(
        breakDown([
          caiyingShare({ deadline: '2018-09-30', share: 150 }),
          caiyingShare({ taskId: 'task-xiaozhuang', unitId: XIAOZHUANG_UNIT, share: 67 }),
        ]),
      )
      .thenState({ subtasks: [{ taskId: SUBTASK_ID }, { taskId: 'task-xiaozhuang' }] });
  });

  it('refuses shares that add up to more than the target', () => {
    spec
      .given(WORKING)
      .when(
        breakDown([caiyingShare(), caiyingShare({ taskId: 'task-xiaozhuang', unitId: XIAOZHUANG_UNIT, share: 68 })]),
      )
      .thenThrows(RuleViolationError, { code: 'SHARES_ABOVE_TARGET', field: 'subtasks' });
    spec
      .given(BROKEN_DOWN)
      .when(breakDown([caiyingShare({ taskId: 'task-xiaozhuang', unitId: XIAOZHUANG_UNIT, share: 68 })]))
      .thenThrows(RuleViolationError, 'SHARES_ABOVE_TARGET');
  });

  it('counts what the unit has done itself against the target too', () => {
    spec
      .given([...WORKING, progressReported({ quantityDone: 100 })])
      .when(breakDown([caiyingShare({ share: 118 })]))
      .thenThrows(RuleViolationError, 'SHARES_ABOVE_TARGET');
  });

  it('gives back the share of a cancelled sub-task (a sub-task of unknown status keeps its share)', () => {
    const again = breakDown([caiyingShare({ taskId: 'task-again', share: 150 })], { [SUBTASK_ID]: 'cancelled' });
    spec
      .given(BROKEN_DOWN)
      .when(again)
      .thenState({ subtasks: [{ taskId: SUBTASK_ID }, { taskId: 'task-again' }] });
    spec
      .given(BROKEN_DOWN)
      .when(breakDown([caiyingShare({ taskId: 'task-again', share: 150 })], {}))
      .thenThrows(RuleViolationError, 'SHARES_ABOVE_TARGET');
  });

  it('refuses a share when the task has no quantity target', () => {
    spec
      .given([assigned({ target: null }), accepted()])
      .when(breakDown())
      .thenThrows(RuleViolationError, { code: 'SHARE_WITHOUT_TARGET', field: 'subtasks.0.share' });
    spec
      .given([assigned({ target: null }), accepted()])
      .when(breakDown([caiyingShare({ share: null })]))
      .thenState({ subtasks: [{ taskId: SUBTASK_ID, target: null }] });
  });

  it('adds shares without drifting (0.1 + 0.2 of a target of 0.3 km)', () => {
    spec
      .given([assigned({ target: { quantity: 0.3, unit: 'km' } }), accepted()])
      .when(
        breakDown([
          caiyingShare({ share: 0.1 }),
          caiyingShare({ taskId: 'task-xiaozhuang', unitId: XIAOZHUANG_UNIT, share: 0.2 }),
        ]),
      )
      .thenState({ subtasks: [{ target: { quantity: 0.1 } }, { target: { quantity: 0.2 } }] });
  });
});

// ---------------------------------------------------------------------------------------------- a sub-task's stream

const PARENT_ID = 'task-wangyan-housing';
const SUBTASK_PARENT = {
  taskId: PARENT_ID,
  rootTaskId: 'task-funan-housing',
  depth: 1,
  leadUnitId: LEAD_UNIT,
  deadline: '2018-09-30',
  campaignId: 'campaign-housing-zero',
};
const assignSubtask = (data: Partial<CommandOf<'AssignRectificationTask'>['data']> = {}, actor = leadUser) =>
  assign(
    {
      leadUnitId: CAIYING_UNIT,
      cooperatingUnitIds: [],
      deadline: '2018-09-15',
      target: { quantity: 150, unit: '户' },
      campaign: null,
      parent: SUBTASK_PARENT,
      ...data,
    },
    actor,
  );
const subtaskAssigned = () =>
  assigned({
    leadUnitId: CAIYING_UNIT,
    cooperatingUnitIds: [],
    deadline: '2018-09-15',
    target: { quantity: 150, unit: '户' },
    assignedBy: leadUser.userId,
    parentTaskId: PARENT_ID,
    rootTaskId: 'task-funan-housing',
    depth: 2,
    assigningUnitId: LEAD_UNIT,
  });
const SUB_WORKING: RectificationTaskEvent[] = [subtaskAssigned(), accepted(CAIYING_UNIT), planRecorded()];
/** A sub-task's parent, as the use case reads it before a reopening: still open, extended past the new deadline. */
const UNDER_OPEN_PARENT = { parentStatus: 'in_progress', parentDeadline: '2018-11-30' } as const;
const SUB_SUBMITTED: RectificationTaskEvent[] = [
  ...SUB_WORKING,
  progressReported({ unitId: CAIYING_UNIT, quantityDone: 150 }),
  submitted({ quantityDone: 150, submittedBy: { userId: caiyingUser.userId, unitId: CAIYING_UNIT } }),
];
const subExtension = (requestedDeadline = '2018-09-25', parentDeadline: string | null = '2018-09-30') =>
  requestExtension({ requestedDeadline, parentDeadline }, NOW, caiyingUser);

describe('a sub-task (逐级分解): its own stream', () => {
  it('is assigned by the parent’s lead unit, one level deeper, in the parent’s tree and campaign', () => {
    spec.given([]).when(assignSubtask()).then([subtaskAssigned()]);
  });

  it('makes a top-level task the root of its own tree, at depth 0, checked by the inspection side', () => {
    spec
      .given([])
      .when(assign())
      .thenState({ parentTaskId: null, rootTaskId: TASK_ID, depth: 0, assigningUnitId: null, subtasks: [] });
  });

  it('is assigned by a user of the parent’s lead unit only', () => {
    spec.given([]).when(assignSubtask({}, inspector)).thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
    spec.given([]).when(assignSubtask({}, strangerUser)).thenThrows(ForbiddenError, 'NOT_YOUR_UNIT');
  });

  it('holds to its parent: one unit, never the parent’s own, no later deadline, no campaign of its own', () => {
    spec
      .given([])
      .when(assignSubtask({ leadUnitId: LEAD_UNIT }))
      .thenThrows(RuleViolationError, { code: 'SUBTASK_FOR_OWN_UNIT', field: 'leadUnitId' });
    spec
      .given([])
      .when(assignSubtask({ deadline: '2018-10-01' }))
      .thenThrows(RuleViolationError, { code: 'SUBTASK_DEADLINE_AFTER_PARENT', field: 'deadline' });
    spec
      .given([])
      .when(assignSubtask({ cooperatingUnitIds: [XIAOZHUANG_UNIT] }))
      .thenThrows(ValidationError, { field: 'cooperatingUnitIds' });
    spec
      .given([])
      .when(assignSubtask({ campaign: { campaignId: 'campaign-housing-zero', deadline: '2018-09-30' } }))
      .thenThrows(ValidationError, { field: 'campaign' });
  });

  it('is verified by the unit that broke its parent down', () => {
    spec
      .given(SUB_SUBMITTED)
      .when(verify('村里整改到位', leadUser))
      .then([verified('村里整改到位', leadUser)]);
  });

  it('is sent back by that unit too', () => {
    spec
      .given(SUB_SUBMITTED)
      .when(sendBack('照片不全', leadUser))
      .then([sentBack(1, '照片不全')]);
  });

  it.each([
    ['its own unit (no unit signs off its own work)', caiyingUser, 'NOT_ASSIGNING_UNIT'],
    ['a unit elsewhere', strangerUser, 'NOT_ASSIGNING_UNIT'],
    ['a unit user without a unit', unitlessUser, 'NOT_ASSIGNING_UNIT'],
    ['an inspector (the inspection side checks the top level)', inspector, 'ROLE_NOT_ALLOWED'],
    ['a leader', leader, 'READ_ONLY_ROLE'],
  ])('is not verified, sent back or cancelled by %s', (_, actor, code) => {
    spec.given(SUB_SUBMITTED).when(verify(null, actor)).thenThrows(ForbiddenError, code);
    spec.given(SUB_SUBMITTED).when(sendBack('退回', actor)).thenThrows(ForbiddenError, code);
    spec.given(SUB_WORKING).when(cancel('重复', actor)).thenThrows(ForbiddenError, code);
  });

  it('is cancelled (with a reason) and reopened by the unit that broke its parent down', () => {
    spec
      .given(SUB_WORKING)
      .when(cancel('改由他村承担', leadUser))
      .then([cancelled('改由他村承担')]);
    spec
      .given([...SUB_SUBMITTED, verified(null, leadUser)])
      .when(reopen(UNDER_OPEN_PARENT, NOW, leadUser))
      .then([reopened({ previousDeadline: '2018-09-15' })]);
  });

  it('is reopened only under a parent still open, and not past the parent’s deadline in force', () => {
    const closedSub = [...SUB_SUBMITTED, verified(null, leadUser)];
    for (const parentStatus of ['closed', 'cancelled'] as const) {
      spec
        .given(closedSub)
        .when(reopen({ ...UNDER_OPEN_PARENT, parentStatus }, NOW, leadUser))
        .thenThrows(RuleViolationError, { code: 'PARENT_NOT_OPEN', field: 'parentTaskId' });
    }
    spec
      .given(closedSub)
      .when(reopen({ ...UNDER_OPEN_PARENT, parentDeadline: '2018-11-14' }, NOW, leadUser))
      .thenThrows(RuleViolationError, { code: 'REOPEN_AFTER_PARENT_DEADLINE', field: 'deadline' });
    spec
      .given(closedSub)
      .when(reopen({ ...UNDER_OPEN_PARENT, deadline: '2018-11-30', parentDeadline: '2018-11-30' }, NOW, leadUser))
      .then([reopened({ previousDeadline: '2018-09-15', deadline: '2018-11-30' })]);
    // The parent's facts are the use case's to hand in: a sub-task is never reopened without them.
    spec
      .given(closedSub)
      .when(reopen({}, NOW, leadUser))
      .thenThrows(ValidationError, { field: 'parentStatus' });
  });

  it('is not reassigned: it is cancelled and the parent broken down again', () => {
    spec
      .given(SUB_WORKING)
      .when(reassign({ leadUnitId: XIAOZHUANG_UNIT, cooperatingUnitIds: [] }, leadUser))
      .thenThrows(RuleViolationError, 'SUBTASK_NOT_REASSIGNABLE');
  });

  it('asks for an extension up to its parent’s deadline, decided by the parent’s unit', () => {
    const requested = extensionRequested({ currentDeadline: '2018-09-15', requestedDeadline: '2018-09-25' });
    spec.given(SUB_WORKING).when(subExtension()).then([requested]);
    spec
      .given([...SUB_WORKING, requested])
      .when(withActor(approve(), leadUser))
      .thenThrows(ValidationError, { field: 'parentDeadline' });
    spec
      .given([...SUB_WORKING, requested])
      .when(command('ApproveDeadlineExtension', { requestId: 'extension-1', parentDeadline: '2018-09-30' }, leadUser))
      .then([extensionApproved({ previousDeadline: '2018-09-15', newDeadline: '2018-09-25' })]);
    spec
      .given([...SUB_WORKING, requested])
      .when(refuse('extension-1', '先按期完成', leadUser))
      .then([extensionRefused('extension-1', '先按期完成')]);
    spec
      .given([...SUB_WORKING, requested])
      .when(refuse('extension-1', '先按期完成', inspector))
      .thenThrows(ForbiddenError, 'ROLE_NOT_ALLOWED');
  });

  it('may not ask for a deadline past its parent’s: the parent asks upward first', () => {
    spec
      .given(SUB_WORKING)
      .when(subExtension('2018-10-01'))
      .thenThrows(RuleViolationError, { code: 'EXTENSION_AFTER_PARENT_DEADLINE', field: 'requestedDeadline' });
    spec.given(SUB_WORKING).when(subExtension('2018-09-25', null)).thenThrows(ValidationError, 'INVALID_FIELD');
  });

  it('is not approved past its parent’s deadline either', () => {
    const requested = extensionRequested({ currentDeadline: '2018-09-15', requestedDeadline: '2018-09-30' });
    spec
      .given([...SUB_WORKING, requested])
      .when(command('ApproveDeadlineExtension', { requestId: 'extension-1', parentDeadline: '2018-09-20' }, leadUser))
      .thenThrows(RuleViolationError, 'EXTENSION_AFTER_PARENT_DEADLINE');
  });
});

// ---------------------------------------------------------------------------------------------- a parent

describe('a task broken down: its own part and its open sub-tasks', () => {
  const ALL_CLOSED = { [SUBTASK_ID]: 'closed' } as const;

  it('reports its own work up to the target less the shares (150 of 217 shared: 67 its own)', () => {
    spec
      .given(BROKEN_DOWN)
      .when(progress({ quantityDone: 67, subtaskStatuses: {} }))
      .then([progressReported({ quantityDone: 67 })]);
    spec
      .given(BROKEN_DOWN)
      .when(progress({ quantityDone: 68 }))
      .thenThrows(RuleViolationError, { code: 'QUANTITY_ABOVE_OWN_PART', field: 'quantityDone' });
  });

  it('takes back the share of a cancelled sub-task as its own work', () => {
    spec
      .given(BROKEN_DOWN)
      .when(progress({ quantityDone: 217, subtaskStatuses: { [SUBTASK_ID]: 'cancelled' } }))
      .then([progressReported({ quantityDone: 217 })]);
  });

  it('is not submitted while a sub-task is open, naming it', () => {
    for (const status of ['assigned', 'accepted', 'in_progress', 'submitted'] as const) {
      const error = spec
        .given([...BROKEN_DOWN, progressReported({ quantityDone: 67 })])
        .when(submit({ quantityDone: 67, subtaskStatuses: { [SUBTASK_ID]: status } }))
        .thenThrows(RuleViolationError, { code: 'SUBTASKS_OPEN', field: 'subtasks' });
      expect(error.message).toContain(SUBTASK_ID);
    }
    spec
      .given([...BROKEN_DOWN, progressReported({ quantityDone: 67 })])
      .when(submit({ quantityDone: 67, subtaskStatuses: {} }))
      .thenThrows(RuleViolationError, 'SUBTASKS_OPEN');
  });

  it('is submitted with its own part done once every sub-task is verified', () => {
    spec
      .given([...BROKEN_DOWN, progressReported({ quantityDone: 67 })])
      .when(submit({ quantityDone: null, subtaskStatuses: ALL_CLOSED }))
      .then([submitted({ quantityDone: 67 })]);
    spec
      .given([...BROKEN_DOWN, progressReported({ quantityDone: 60 })])
      .when(submit({ quantityDone: null, subtaskStatuses: ALL_CLOSED }))
      .thenThrows(RuleViolationError, (e) => e.code === 'TARGET_NOT_MET' && e.message.includes('own part 67'));
  });

  it('is submitted when a sub-task was cancelled, its share done by the unit itself', () => {
    spec
      .given(BROKEN_DOWN)
      .when(submit({ quantityDone: 217, subtaskStatuses: { [SUBTASK_ID]: 'cancelled' } }))
      .then([submitted()]);
  });

  it('needs nothing of its own when the shares take the whole target', () => {
    const whole = brokenDown([
      caiyingAssignment(),
      caiyingAssignment({
        taskId: 'task-xiaozhuang',
        leadUnitId: XIAOZHUANG_UNIT,
        target: { quantity: 67, unit: '户' },
      }),
    ]);
    spec
      .given([...WORKING, whole])
      .when(submit({ quantityDone: null, subtaskStatuses: { ...ALL_CLOSED, 'task-xiaozhuang': 'closed' } }))
      .then([submitted({ quantityDone: null })]);
  });

  it('is not cancelled while a sub-task is open: the canceller cancels the sub-tasks first', () => {
    for (const status of ['assigned', 'accepted', 'in_progress', 'submitted'] as const) {
      const error = spec
        .given(BROKEN_DOWN)
        .when(cancel('问题重复交办', inspector, { [SUBTASK_ID]: status }))
        .thenThrows(RuleViolationError, { code: 'SUBTASKS_OPEN', field: 'subtasks' });
      expect(error.message).toContain(SUBTASK_ID);
    }
    spec.given(BROKEN_DOWN).when(cancel()).thenThrows(RuleViolationError, 'SUBTASKS_OPEN');
    for (const status of ['closed', 'cancelled'] as const) {
      spec
        .given(BROKEN_DOWN)
        .when(cancel('问题重复交办', inspector, { [SUBTASK_ID]: status }))
        .then([cancelled('问题重复交办')]);
    }
    // A resend of the cancellation changes nothing, whatever has become of the sub-tasks since.
    spec
      .given([...BROKEN_DOWN, cancelled('问题重复交办')])
      .when(cancel())
      .then([]);
  });

  it('is not reassigned while a sub-task is open (the new unit would check what the old one handed out)', () => {
    spec.given(BROKEN_DOWN).when(reassign()).thenThrows(RuleViolationError, 'SUBTASKS_OPEN');
    spec
      .given(BROKEN_DOWN)
      .when(reassign({ subtaskStatuses: ALL_CLOSED }))
      .then([reassigned()]);
  });

  it('is sent back without touching its sub-tasks, and an approved extension moves none of them', () => {
    const submittedParent = [...BROKEN_DOWN, progressReported({ quantityDone: 67 }), submitted({ quantityDone: 67 })];
    spec
      .given(submittedParent)
      .when(sendBack())
      .thenState({ status: 'in_progress', subtasks: [caiyingAssignment()] });
    spec
      .given([...BROKEN_DOWN, extensionRequested()])
      .when(approve())
      .thenState({ deadline: '2018-10-31', subtasks: [caiyingAssignment()] });
  });
});
