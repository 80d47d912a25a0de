import { Actor, ForbiddenError, IllegalTransitionError, ValidationError } from '../shared';
import { TaskStatus } from '../rectification-task';
import { DeciderSpecification } from '../testing/decider-spec';
import { FileFinding, FindingCommand, LinkTaskToFinding, ReconcileFindingResolution } from './finding.commands';
import { findingDecider } from './finding.decider';
import {
  FindingEvent,
  FindingFiled,
  findingStreamName,
  FindingReopened,
  FindingResolved,
  FindingTaskLinked,
} from './finding.events';
import { SEVERITIES, SEVERITY_LABELS } from './finding.state';

const spec = DeciderSpecification.for(findingDecider);

const NOW = '2018-07-20T09:00:00+08:00';
const FINDING_ID = 'finding-caiying-housing';

const inspector: Actor = {
  userId: 'user-inspector-li',
  username: 'li.dc',
  role: 'inspector',
  unitId: 'unit-supervision-office',
};
const otherInspector: Actor = { userId: 'user-inspector-zhao', username: 'zhao.dc', role: 'inspector' };
const unitUser: Actor = { userId: 'user-wangyan-chen', username: 'chen.wy', role: 'unit', unitId: 'unit-wangyan-town' };
const leader: Actor = { userId: 'user-leader-wang', username: 'wang.sj', role: 'leader', unitId: null };
const admin: Actor = { userId: 'user-admin', username: 'admin', role: 'admin', unitId: null };
const system: Actor = { userId: 'system', username: 'system', role: 'admin', unitId: null };

function command<C extends FindingCommand>(type: C['type'], data: C['data'], actor: Actor): C {
  return { type, data, metadata: { actor, now: NOW, correlationId: 'correlation-1' } } as C;
}

const FILE_DATA: FileFinding['data'] = {
  findingId: FINDING_ID,
  title: '蔡郢村危房未改造到位',
  description: '217 户老旧住房未拆除，部分群众仍居住在危房中',
  regionId: 'region-caiying',
  category: '危房改造',
  severity: 'high',
  source: '市扶贫督查第三组',
  evidence: [{ ref: 'files/caiying/house-12.jpg', name: '12 号危房' }],
};

const fileFinding = (data: Partial<FileFinding['data']> = {}, actor = inspector) =>
  command<FileFinding>('FileFinding', { ...FILE_DATA, ...data }, actor);
const link = (taskId: string, actor = inspector) => command<LinkTaskToFinding>('LinkTaskToFinding', { taskId }, actor);
const reconcile = (tasks: [string, TaskStatus][], actor = system) =>
  command<ReconcileFindingResolution>(
    'ReconcileFindingResolution',
    { tasks: tasks.map(([taskId, status]) => ({ taskId, status })) },
    actor,
  );

const filed = (data: Partial<FindingFiled['data']> = {}): FindingFiled => ({
  type: 'FindingFiled',
  data: { ...FILE_DATA, filedBy: inspector.userId, ...data },
});
const linked = (taskId: string): FindingTaskLinked => ({
  type: 'FindingTaskLinked',
  data: { findingId: FINDING_ID, taskId },
});
const resolved = (...taskIds: string[]): FindingResolved => ({
  type: 'FindingResolved',
  data: { findingId: FINDING_ID, taskIds },
});
const reopened = (reason: string): FindingReopened => ({
  type: 'FindingReopened',
  data: { findingId: FINDING_ID, reason },
});

const OPEN_WITH_TWO: FindingEvent[] = [filed(), linked('task-a'), linked('task-b')];
const RESOLVED: FindingEvent[] = [...OPEN_WITH_TWO, resolved('task-a', 'task-b')];

describe('finding: basics', () => {
  it('names its stream and labels severities in Chinese', () => {
    expect(findingStreamName('7')).toBe('finding-7');
    expect(SEVERITIES.map((s) => SEVERITY_LABELS[s])).toEqual(['一般', '较重', '严重']);
  });

  it('starts as not filed', () => {
    expect(findingDecider.initialState()).toEqual({ status: 'none' });
  });

  it.each([
    ['LinkTaskToFinding', link('task-a')],
    ['ReconcileFindingResolution', reconcile([['task-a', 'closed']])],
  ])('refuses %s before the finding is filed', (type, cmd) => {
    spec.given([]).when(cmd).thenThrows(IllegalTransitionError, { command: type, status: 'none' });
  });
});

describe('FileFinding', () => {
  it('an inspector files a finding with place, category, severity and evidence', () => {
    spec.given([]).when(fileFinding()).then([filed()]);
    spec
      .given([])
      .when(fileFinding())
      .thenState({ status: 'open', taskIds: [], filedBy: inspector.userId, severity: 'high' });
  });

  it('records texts trimmed and accepts an empty description, source and evidence', () => {
    spec
      .given([])
      .when(fileFinding({ title: ' 蔡郢村危房未改造到位 ', description: '', source: '', evidence: [] }))
      .then([filed({ description: '', source: '', evidence: [] })]);
  });

  it.each(SEVERITIES)('accepts severity %s', (severity) => {
    spec
      .given([])
      .when(fileFinding({ severity }))
      .then([filed({ severity })]);
  });

  it('accepts a title of exactly 200 characters', () => {
    const title = '题'.repeat(200);
    spec
      .given([])
      .when(fileFinding({ title }))
      .then([filed({ title })]);
  });

  it.each([
    ['findingId', { findingId: '' }],
    ['title', { title: '   ' }],
    ['title', { title: '题'.repeat(201) }],
    ['description', { description: '述'.repeat(4001) }],
    ['regionId', { regionId: '' }],
    ['category', { category: ' ' }],
    ['category', { category: 42 }],
    ['severity', { severity: 'critical' }],
    ['severity', { severity: '严重' }],
    ['source', { source: 7 }],
    ['evidence[0].ref', { evidence: [{ ref: '' }] }],
    ['evidence', { evidence: 'photo.jpg' }],
  ])('refuses malformed input: %s', (field, data) => {
    spec
      .given([])
      .when(fileFinding(data as never))
      .thenThrows(ValidationError, { field });
  });

  it.each([
    ['a unit', unitUser, 'ROLE_NOT_ALLOWED'],
    ['an admin', admin, 'ROLE_NOT_ALLOWED'],
    ['a leader', leader, 'READ_ONLY_ROLE'],
  ])('%s may not file a finding', (_, actor, code) => {
    spec.given([]).when(fileFinding({}, actor)).thenThrows(ForbiddenError, code);
  });

  it('filing the same finding again changes nothing, even by another inspector and once it has tasks', () => {
    spec.given([filed()]).when(fileFinding()).thenNothing();
    spec.given(RESOLVED).when(fileFinding({}, otherInspector)).thenNothing();
  });

  it('filing a different finding under the same id is refused', () => {
    spec
      .given([filed()])
      .when(fileFinding({ severity: 'low' }))
      .thenThrows(IllegalTransitionError, { command: 'FileFinding', status: 'open' });
  });
});

describe('LinkTaskToFinding', () => {
  it('links a rectification task, in order', () => {
    spec
      .given([filed(), linked('task-a')])
      .when(link('task-b'))
      .then([linked('task-b')]);
    spec
      .given([filed(), linked('task-a')])
      .when(link('task-b'))
      .thenState({ taskIds: ['task-a', 'task-b'] });
  });

  it('linking a task already linked changes nothing', () => {
    spec.given(OPEN_WITH_TWO).when(link('task-a')).thenNothing();
    spec.given(RESOLVED).when(link('task-b')).thenNothing();
  });

  it('a new task on a resolved finding reopens it', () => {
    spec
      .given(RESOLVED)
      .when(link('task-c'))
      .then([linked('task-c'), reopened('task task-c linked')]);
    spec
      .given(RESOLVED)
      .when(link('task-c'))
      .thenState({ status: 'open', taskIds: ['task-a', 'task-b', 'task-c'] });
  });

  it('refuses an empty task id', () => {
    spec.given([filed()]).when(link(' ')).thenThrows(ValidationError, { field: 'taskId' });
  });

  it.each([
    ['a unit', unitUser, 'ROLE_NOT_ALLOWED'],
    ['an admin', admin, 'ROLE_NOT_ALLOWED'],
    ['a leader', leader, 'READ_ONLY_ROLE'],
  ])('%s may not link a task', (_, actor, code) => {
    spec.given([filed()]).when(link('task-a', actor)).thenThrows(ForbiddenError, code);
  });
});

describe('ReconcileFindingResolution', () => {
  it('resolves the finding once every task is closed', () => {
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', 'closed'],
        ]),
      )
      .then([resolved('task-a', 'task-b')]);
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', 'closed'],
        ]),
      )
      .thenState({ status: 'resolved' });
  });

  it('counts cancelled tasks as finished, as long as one was closed', () => {
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile([
          ['task-b', 'cancelled'],
          ['task-a', 'closed'],
        ]),
      )
      .then([resolved('task-a', 'task-b')]);
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile([
          ['task-a', 'cancelled'],
          ['task-b', 'cancelled'],
        ]),
      )
      .thenNothing();
  });

  it.each(['assigned', 'accepted', 'in_progress', 'submitted'] as const)('stays open while a task is %s', (status) => {
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', status],
        ]),
      )
      .thenNothing();
  });

  it('stays open while a linked task is not reported', () => {
    spec
      .given(OPEN_WITH_TWO)
      .when(reconcile([['task-a', 'closed']]))
      .thenNothing();
  });

  it('ignores tasks that are not linked to the finding', () => {
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', 'closed'],
          ['task-z', 'in_progress'],
        ]),
      )
      .then([resolved('task-a', 'task-b')]);
    spec
      .given(RESOLVED)
      .when(reconcile([['task-z', 'in_progress']]))
      .thenNothing();
  });

  it('a finding without tasks is not resolved', () => {
    spec.given([filed()]).when(reconcile([])).thenNothing();
  });

  it('a resolved finding stays resolved while its tasks stay finished', () => {
    spec
      .given(RESOLVED)
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', 'closed'],
        ]),
      )
      .thenNothing();
    spec
      .given(RESOLVED)
      .when(reconcile([['task-a', 'closed']]))
      .thenNothing();
  });

  it('a resolved finding reopens when one of its tasks is reopened (回头看)', () => {
    spec
      .given(RESOLVED)
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', 'in_progress'],
        ]),
      )
      .then([reopened('task task-b reopened')]);
    spec
      .given(RESOLVED)
      .when(reconcile([['task-b', 'in_progress']]))
      .thenState({ status: 'open' });
  });

  it('resolves again after the reopened task is closed again', () => {
    spec
      .given([...RESOLVED, reopened('task task-b reopened')])
      .when(
        reconcile([
          ['task-a', 'closed'],
          ['task-b', 'closed'],
        ]),
      )
      .then([resolved('task-a', 'task-b')]);
  });

  it('is not checked against a role: the system issues it on behalf of whoever changed a task', () => {
    spec
      .given(OPEN_WITH_TWO)
      .when(
        reconcile(
          [
            ['task-a', 'closed'],
            ['task-b', 'closed'],
          ],
          inspector,
        ),
      )
      .then([resolved('task-a', 'task-b')]);
  });

  it.each([
    ['tasks', { tasks: null }],
    ['tasks[0].taskId', { tasks: [{ taskId: '', status: 'closed' }] }],
    [
      'tasks[1].status',
      {
        tasks: [
          { taskId: 'task-a', status: 'closed' },
          { taskId: 'task-b', status: 'done' },
        ],
      },
    ],
    ['tasks[0].taskId', { tasks: ['task-a'] }],
  ])('refuses malformed input: %s', (field, data) => {
    spec
      .given(OPEN_WITH_TWO)
      .when(command<ReconcileFindingResolution>('ReconcileFindingResolution', data as never, system))
      .thenThrows(ValidationError, { field });
  });
});
