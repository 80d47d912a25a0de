import type { StoredEvent } from '@zhenggai/application';
import { evolveTodo, TodoKind, TodoTask } from './todo.fold';

const TASK = '11111111-1111-4111-8111-111111111111';
const TOWN = 'unit-town';
const VILLAGE = 'unit-village';
const COUNTY = 'unit-county';

let position = 0n;
function event(type: string, data: Record<string, unknown> = {}): StoredEvent {
  position += 1n;
  return {
    id: `e${position}`,
    streamName: `rectificationTask-${TASK}`,
    revision: Number(position),
    position,
    type,
    data: { taskId: TASK, ...data },
    metadata: { occurredAt: new Date(Date.UTC(2030, 0, Number(position))).toISOString() },
    recordedAt: '',
    previousHash: null,
    hash: '',
  };
}

const assigned = (over: Record<string, unknown> = {}) =>
  event('RectificationTaskAssigned', {
    title: '蔡郢村危房改造',
    regionId: 'caiying',
    leadUnitId: TOWN,
    assigningUnitId: null,
    deadline: '2030-09-30',
    ...over,
  });

/** Given the events so far, when one more arrives, then these items wait, each on these units (null: inspection). */
function given(...events: StoredEvent[]) {
  const fold = (list: StoredEvent[]) => list.reduce<TodoTask | undefined>((t, e) => evolveTodo(t, e), undefined);
  return {
    when: (next: StoredEvent) => ({
      then(expected: Array<[TodoKind, Record<string, unknown>?]>) {
        const task = fold([...events, next]);
        expect(task?.items.map((i) => [i.kind, i.detail])).toEqual(
          expected.map(([kind, detail]) => [kind, detail ?? {}]),
        );
        return task!;
      },
    }),
  };
}

describe('待办: each hand-over opens an item for who acts next, and the event that settles it closes it', () => {
  it('a new task waits on its lead unit to sign for it (待签收), until it signs', () => {
    given()
      .when(assigned())
      .then([['sign']]);
    given(assigned())
      .when(event('RectificationTaskAccepted', { unitId: TOWN }))
      .then([['plan']]);
  });

  it('a signed task waits on its plan until a plan, a break-down, progress or a submission', () => {
    const accepted = [assigned(), event('RectificationTaskAccepted')];
    for (const step of [
      'RectificationTaskPlanRecorded',
      'RectificationTaskBrokenDown',
      'RectificationTaskProgressReported',
    ])
      given(...accepted)
        .when(event(step))
        .then([]);
  });

  it('a reminder asks for progress (待报进展) until the unit reports; one item however many reminders', () => {
    const working = [assigned(), event('RectificationTaskAccepted'), event('RectificationTaskPlanRecorded')];
    const reminded = event('RectificationTaskReminded', { label: '催办', level: 'd-1' });
    given(...working)
      .when(reminded)
      .then([['progress', { label: '催办', level: 'd-1' }]]);
    given(...working, reminded)
      .when(event('RectificationTaskEscalated', { label: '督办', level: 'overdue' }))
      .then([['progress', { label: '督办', level: 'overdue' }]]);
    given(...working, reminded)
      .when(event('RectificationTaskProgressReported'))
      .then([]);
  });

  it('a submission waits on the inspection side for a top-level task and on the assigning unit for a sub-task', () => {
    const top = given(assigned(), event('RectificationTaskAccepted'))
      .when(event('RectificationTaskSubmitted', { report: '完成' }))
      .then([['verify', { report: '完成' }]]);
    expect(top.assigningUnitId).toBeNull();
    const sub = given(assigned({ leadUnitId: VILLAGE, assigningUnitId: TOWN }), event('RectificationTaskAccepted'))
      .when(event('RectificationTaskSubmitted', { report: '完成' }))
      .then([['verify', { report: '完成' }]]);
    expect(sub.assigningUnitId).toBe(TOWN);
  });

  it('a send-back settles the sign-off and waits on the unit with the reason until it submits again', () => {
    const submitted = [
      assigned(),
      event('RectificationTaskAccepted'),
      event('RectificationTaskSubmitted', { report: 'r' }),
    ];
    const sentBack = event('RectificationTaskSentBack', { reason: '照片不清' });
    given(...submitted)
      .when(sentBack)
      .then([['sent_back', { reason: '照片不清' }]]);
    given(...submitted, sentBack)
      .when(event('RectificationTaskSubmitted', { report: '补齐' }))
      .then([['verify', { report: '补齐' }]]);
  });

  it('an extension request waits on the checker (待审批); its decision then tells the unit until its next step', () => {
    const requested = event('RectificationTaskExtensionRequested', {
      requestId: 'x1',
      requestedDeadline: '2030-10-31',
      reason: '汛期',
    });
    const working = [assigned(), event('RectificationTaskAccepted'), event('RectificationTaskPlanRecorded')];
    given(...working)
      .when(requested)
      .then([['extension_request', { requestId: 'x1', requestedDeadline: '2030-10-31', reason: '汛期' }]]);
    const approved = given(...working, requested)
      .when(event('RectificationTaskExtensionApproved', { requestId: 'x1', newDeadline: '2030-10-31' }))
      .then([['extension_decided', { approved: true, newDeadline: '2030-10-31' }]]);
    expect(approved.deadline).toBe('2030-10-31');
    const refused = event('RectificationTaskExtensionRefused', { requestId: 'x1', reason: '不能突破' });
    given(...working, requested)
      .when(refused)
      .then([['extension_decided', { approved: false, reason: '不能突破' }]]);
    given(...working, requested, refused)
      .when(event('RectificationTaskProgressReported'))
      .then([]);
  });

  it('a reassignment takes everything from the old unit and asks the new one to sign, with the reason', () => {
    const task = given(assigned(), event('RectificationTaskAccepted'))
      .when(event('RectificationTaskReassigned', { leadUnitId: COUNTY, reason: '改由县住建局牵头' }))
      .then([['sign', { reason: '改由县住建局牵头' }]]);
    expect(task.leadUnitId).toBe(COUNTY);
  });

  it('a reopened task tells the unit why and by when, until its next step', () => {
    const closed = [
      assigned(),
      event('RectificationTaskAccepted'),
      event('RectificationTaskSubmitted', { report: 'r' }),
      event('RectificationTaskVerified'),
    ];
    const reopened = event('RectificationTaskReopened', { reason: '回头看发现反弹', deadline: '2030-11-30' });
    given(...closed)
      .when(reopened)
      .then([['reopened', { reason: '回头看发现反弹', deadline: '2030-11-30' }]]);
    given(...closed, reopened)
      .when(event('RectificationTaskSubmitted', { report: '已整改' }))
      .then([['verify', { report: '已整改' }]]);
  });

  it('verifying or cancelling a task settles everything on it; reminders then ask nothing', () => {
    const submitted = [
      assigned(),
      event('RectificationTaskAccepted'),
      event('RectificationTaskSubmitted', { report: 'r' }),
    ];
    given(...submitted)
      .when(event('RectificationTaskVerified'))
      .then([]);
    given(assigned())
      .when(event('RectificationTaskCancelled', { reason: '重复' }))
      .then([]);
    given(...submitted, event('RectificationTaskVerified'))
      .when(event('RectificationTaskReminded'))
      .then([]);
    // Awaiting sign-off, the unit has nothing to report.
    given(...submitted)
      .when(event('RectificationTaskReminded', { label: '提醒' }))
      .then([['verify', { report: 'r' }]]);
  });

  it('ignores events of a task it never saw assigned', () => {
    expect(evolveTodo(undefined, event('RectificationTaskAccepted'))).toBeUndefined();
  });
});
