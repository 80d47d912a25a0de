import {
  Actor,
  CommandMetadata,
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  taskStreamName,
  ValidationError,
} from '@zhenggai/domain';
import { commandIdOf, newIdFor } from '../ids/command-id';
import { FakeDirectory } from '../testing/fake-directory';
import { StoreWithFaults } from '../testing/store-with-faults';
import { assignTask } from './assign-task';
import { breakDownTask, BreakDownTaskInput, completeBreakDown } from './break-down-task';
import { executeTaskCommand, TaskLifecycleCommand } from './execute-task-command';
import { fileFinding } from './file-finding';
import { UseCaseDeps } from './use-case-deps';

// 阜南县 (funan-housing) → 王堰镇 (wangyan-town) → 蔡郢村 (caiying-village), over the fake directory's places.
const inspector: Actor = { userId: 'u-inspector', username: 'inspector', role: 'inspector' };
const county: Actor = { userId: 'u-county', username: 'funan', role: 'unit', unitId: 'funan-housing' };
const town: Actor = { userId: 'u-town', username: 'wangyan', role: 'unit', unitId: 'wangyan-town' };
const village: Actor = { userId: 'u-village', username: 'caiying', role: 'unit', unitId: 'caiying-village' };
const elsewhere: Actor = { userId: 'u-jiangzhai', username: 'jiangzhai', role: 'unit', unitId: 'jiangzhai-town' };
const NOW = '2026-12-01T09:00:00+08:00';
const meta = (actor: Actor): CommandMetadata => ({ actor, now: NOW, correlationId: 'c' });
const keyed = (actor: Actor, key: string): CommandMetadata => {
  const commandId = commandIdOf(actor.userId, key);
  return { actor, now: NOW, correlationId: commandId, commandId };
};
const evidence = [{ ref: 'photo.jpg' }];

async function world() {
  const store = new StoreWithFaults();
  let next = 0;
  const deps: UseCaseDeps = {
    store,
    directory: new FakeDirectory(),
    ids: { newId: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}` },
  };
  const run = (taskId: string, type: TaskLifecycleCommand['type'], data: object, actor: Actor) =>
    executeTaskCommand(deps, taskId, { type, data, metadata: meta(actor) } as TaskLifecycleCommand);
  const finding = await fileFinding(
    deps,
    {
      title: '危房改造',
      description: '',
      regionId: 'caiying',
      category: 'roads',
      severity: 'high',
      source: '',
      evidence: [],
    },
    meta(inspector),
  );
  const top = await assignTask(
    deps,
    {
      findingId: finding.id,
      leadUnitId: 'funan-housing',
      cooperatingUnitIds: [],
      deadline: '2030-09-30',
      measures: '危房改造清零',
      target: { quantity: 217, unit: '户' },
      campaignId: null,
      title: null,
    },
    meta(inspector),
  );
  await run(top.id, 'AcceptRectificationTask', {}, county);
  const ofType = (type: string) => store.events.filter((e) => e.type === type);
  return { store, deps, run, top: top.id, ofType };
}

const toTown = (taskId: string, share: number | null = 200): BreakDownTaskInput => ({
  taskId,
  subtasks: [{ unitId: 'wangyan-town', deadline: '2030-09-15', measures: '王堰镇危房改造', title: null, share }],
});

describe('breakDownTask (分解)', () => {
  it('breaks a county task down to a town and the town’s to a village, each a task stream of its own', async () => {
    const { deps, run, top, ofType } = await world();
    const towns = await breakDownTask(deps, toTown(top), meta(county));
    expect(towns).toEqual({ id: top, revision: 2, subtasks: [{ id: expect.any(String), revision: 0 }] });
    const townTask = towns.subtasks[0].id;
    await run(townTask, 'AcceptRectificationTask', {}, town);
    const villages = await breakDownTask(
      deps,
      {
        taskId: townTask,
        subtasks: [
          { unitId: 'caiying-village', deadline: '2030-09-10', measures: '拆除', title: '蔡郢村', share: 150 },
        ],
      },
      meta(town),
    );
    expect(await run(villages.subtasks[0].id, 'AcceptRectificationTask', {}, village)).toMatchObject({
      status: 'accepted',
    });
    const assigned = ofType('RectificationTaskAssigned').map((e) => e.data);
    expect(assigned.slice(1)).toEqual([
      // Untitled: the parent's title with the unit's name as the directory gives it.
      expect.objectContaining({
        taskId: townTask,
        title: '危房改造（wangyan-town）',
        leadUnitId: 'wangyan-town',
        regionId: 'caiying',
        parentTaskId: top,
        rootTaskId: top,
        depth: 1,
        assigningUnitId: 'funan-housing',
        assignedBy: county.userId,
        target: { quantity: 200, unit: '户' },
      }),
      expect.objectContaining({
        taskId: villages.subtasks[0].id,
        title: '蔡郢村',
        leadUnitId: 'caiying-village',
        parentTaskId: townTask,
        rootTaskId: top,
        depth: 2,
        assigningUnitId: 'wangyan-town',
      }),
    ]);
    // A sub-task answers to its parent: the finding links only the top-level task.
    expect(ofType('FindingTaskLinked').map((e) => e.data.taskId)).toEqual([top]);
  });

  it.each([
    [
      'shares above the target',
      (top: string) => toTown(top, 218),
      RuleViolationError,
      { code: 'SHARES_ABOVE_TARGET', field: 'subtasks' },
    ],
    [
      'a unit outside the subtree',
      (top: string) => ({ ...toTown(top), subtasks: [{ ...toTown(top).subtasks[0], unitId: 'jiangzhai-town' }] }),
      RuleViolationError,
      { code: 'SUBTASK_UNIT_OUTSIDE_SUBTREE', field: 'subtasks.0.unitId' },
    ],
    [
      'a unit that does not exist',
      (top: string) => ({ ...toTown(top), subtasks: [{ ...toTown(top).subtasks[0], unitId: 'no-such-unit' }] }),
      ValidationError,
      { code: 'UNKNOWN_UNIT', field: 'subtasks.0.unitId' },
    ],
    [
      'a deadline after the parent’s',
      (top: string) => ({ ...toTown(top), subtasks: [{ ...toTown(top).subtasks[0], deadline: '2030-10-01' }] }),
      RuleViolationError,
      { code: 'SUBTASK_DEADLINE_AFTER_PARENT', field: 'subtasks.0.deadline' },
    ],
  ])('refuses %s and stores nothing', async (_, input, errorClass, expected) => {
    const { store, deps, top } = await world();
    const count = store.events.length;
    const refusal = breakDownTask(deps, input(top), meta(county));
    await expect(refusal).rejects.toBeInstanceOf(errorClass);
    await expect(refusal).rejects.toMatchObject(expected);
    expect(store.events.length).toBe(count);
  });

  it('answers 404 to a unit that does not lead the task, and refuses other roles before looking', async () => {
    const { store, deps, top } = await world();
    const count = store.events.length;
    await expect(breakDownTask(deps, toTown(top), meta(elsewhere))).rejects.toBeInstanceOf(NotFoundError);
    await expect(breakDownTask(deps, toTown('no-such-task'), meta(inspector))).rejects.toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
    });
    await expect(breakDownTask(deps, toTown(top), meta(inspector))).rejects.toBeInstanceOf(ForbiddenError);
    expect(store.events.length).toBe(count);
  });

  it('completes a break-down that died between its appends when retried under the same key', async () => {
    const { store, deps, top, ofType } = await world();
    const metadata = keyed(county, 'break-down-1');
    const first = await breakDownTask(deps, toTown(top, 100), metadata);
    const [subtask] = first.subtasks;
    // The same key again: the same answer, nothing appended.
    const count = store.events.length;
    expect(await breakDownTask(deps, toTown(top, 100), metadata)).toEqual(first);
    expect(store.events.length).toBe(count);

    // A second break-down under another key dies after the parent recorded it.
    const second = keyed(county, 'break-down-2');
    const input = {
      ...toTown(top, 50),
      subtasks: [{ ...toTown(top).subtasks[0], unitId: 'caiying-village', share: 50 }],
    };
    const expectedId = newIdFor(deps.ids, second, 'subtask-0');
    store.beforeNextAppendTo(taskStreamName(expectedId), async () => {
      throw new Error('killed between the appends');
    });
    await expect(breakDownTask(deps, input, second)).rejects.toThrow('killed between the appends');
    expect(ofType('RectificationTaskBrokenDown')).toHaveLength(2);
    const retry = await breakDownTask(deps, input, second);
    expect(retry.subtasks).toEqual([{ id: expectedId, revision: 0 }]);
    expect(ofType('RectificationTaskBrokenDown')).toHaveLength(2);
    expect(ofType('RectificationTaskAssigned').map((e) => e.data.taskId)).toEqual([top, subtask.id, expectedId]);
  });
});

describe('completeBreakDown (the worker’s reaction to a break-down)', () => {
  it('assigns the sub-tasks a break-down that died between its appends left without a stream, once', async () => {
    const { store, deps, top, ofType } = await world();
    const input = toTown(top, 100);
    const lost = newIdFor(deps.ids, {}, 'unused'); // the id generator's next id is the sub-task's
    store.beforeNextAppendTo(taskStreamName(nextIdAfter(lost)), async () => {
      throw new Error('killed between the appends');
    });
    await expect(breakDownTask(deps, input, meta(county))).rejects.toThrow('killed between the appends');
    const [brokenDown] = ofType('RectificationTaskBrokenDown');
    expect(ofType('RectificationTaskAssigned')).toHaveLength(1);

    expect(await completeBreakDown(deps, brokenDown)).toEqual([{ id: nextIdAfter(lost), revision: 0 }]);
    const [, assigned] = ofType('RectificationTaskAssigned');
    expect(assigned.data).toMatchObject({ taskId: nextIdAfter(lost), parentTaskId: top, assignedBy: county.userId });
    expect(assigned.metadata).toMatchObject({ occurredAt: NOW, causationId: brokenDown.id });
    // Again (a batch replayed after a crash): nothing appended, nothing read but which streams exist.
    const count = store.events.length;
    const reads = store.streamReads;
    expect(await completeBreakDown(deps, brokenDown)).toEqual([{ id: nextIdAfter(lost), revision: 0 }]);
    expect(store.events.length).toBe(count);
    expect(store.streamReads).toBe(reads);
  });

  it('assigns only the sub-tasks without a stream, and passes over a break-down whose all have one', async () => {
    const { store, deps, top, ofType } = await world();
    // given a break-down into two towns, the second town's sub-task lost between the appends
    const input: BreakDownTaskInput = {
      ...toTown(top, 100),
      subtasks: [...toTown(top, 100).subtasks, { ...toTown(top, 100).subtasks[0], unitId: 'caiying-village' }],
    };
    const first = newIdFor(deps.ids, {}, 'unused');
    const second = nextIdAfter(nextIdAfter(first));
    store.beforeNextAppendTo(taskStreamName(second), async () => {
      throw new Error('killed between the appends');
    });
    await expect(breakDownTask(deps, input, meta(county))).rejects.toThrow('killed between the appends');
    const [brokenDown] = ofType('RectificationTaskBrokenDown');
    expect(ofType('RectificationTaskAssigned').map((e) => e.data.taskId)).toEqual([top, nextIdAfter(first)]);
    // when the reaction completes it, one look tells which exist: only the lost one is assigned
    const checks = store.existenceChecks;
    expect(await completeBreakDown(deps, brokenDown)).toEqual([
      { id: nextIdAfter(first), revision: 0 },
      { id: second, revision: 0 },
    ]);
    expect(store.existenceChecks).toBe(checks + 1);
    expect(ofType('RectificationTaskAssigned').map((e) => e.data.taskId)).toEqual([top, nextIdAfter(first), second]);
    // and once all have a stream, it reads no stream at all (not even the parent's) and appends nothing
    const [reads, count] = [store.streamReads, store.events.length];
    expect(await completeBreakDown(deps, brokenDown)).toEqual([
      { id: nextIdAfter(first), revision: 0 },
      { id: second, revision: 0 },
    ]);
    expect([store.streamReads, store.events.length]).toEqual([reads, count]);
  });
});

/** The fake id generator's ids count up: the one after `id`. */
function nextIdAfter(id: string): string {
  return id.replace(/\d{12}$/, (n) => String(Number(n) + 1).padStart(12, '0'));
}

describe('the lifecycle of a tree through executeTaskCommand', () => {
  async function brokenDown() {
    const w = await world();
    const { subtasks } = await breakDownTask(w.deps, toTown(w.top), meta(county));
    return { ...w, sub: subtasks[0].id };
  }

  it('lets the unit that broke the task down check its sub-task, and keeps it from anyone else', async () => {
    const { run, sub } = await brokenDown();
    await run(sub, 'AcceptRectificationTask', {}, town);
    await run(sub, 'ReportRectificationProgress', { quantityDone: 200, note: '完成', evidence: [] }, town);
    await run(sub, 'SubmitRectification', { report: '完成', evidence, quantityDone: null }, town);
    await expect(run(sub, 'VerifyRectification', { note: null }, elsewhere)).rejects.toBeInstanceOf(NotFoundError);
    await expect(run(sub, 'VerifyRectification', { note: null }, town)).rejects.toMatchObject({
      code: 'NOT_ASSIGNING_UNIT',
    });
    await expect(run(sub, 'VerifyRectification', { note: null }, inspector)).rejects.toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
    });
    expect(await run(sub, 'VerifyRectification', { note: '合格' }, county)).toMatchObject({ status: 'closed' });
  });

  it('does not let the sub-task’s unit reach its parent', async () => {
    const { run, top } = await brokenDown();
    await expect(run(top, 'RecordRectificationPlan', { plan: '方案' }, town)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps the parent from sign-off while its sub-task is open, and its own work within its own part', async () => {
    const { run, top, sub, store } = await brokenDown();
    await expect(
      run(top, 'ReportRectificationProgress', { quantityDone: 18, note: '', evidence: [] }, county),
    ).rejects.toMatchObject({ code: 'QUANTITY_ABOVE_OWN_PART' });
    await run(top, 'ReportRectificationProgress', { quantityDone: 17, note: '', evidence: [] }, county);
    const count = store.events.length;
    await expect(
      run(top, 'SubmitRectification', { report: '完成', evidence, quantityDone: null }, county),
    ).rejects.toMatchObject({ code: 'SUBTASKS_OPEN', message: expect.stringContaining(sub) });
    expect(store.events.length).toBe(count);
    await run(sub, 'CancelRectificationTask', { reason: '并入县里统一实施' }, county);
    // Its share came back: the county now answers for the whole 217 itself.
    await expect(
      run(top, 'SubmitRectification', { report: '完成', evidence, quantityDone: null }, county),
    ).rejects.toMatchObject({ code: 'TARGET_NOT_MET' });
    await run(top, 'ReportRectificationProgress', { quantityDone: 217, note: '', evidence: [] }, county);
    expect(
      await run(top, 'SubmitRectification', { report: '完成', evidence, quantityDone: null }, county),
    ).toMatchObject({ status: 'submitted' });
  });

  it('caps a sub-task’s extension at its parent’s deadline, and decides it at the parent’s unit', async () => {
    const { run, sub } = await brokenDown();
    await run(sub, 'AcceptRectificationTask', {}, town);
    const ask = (requestId: string, requestedDeadline: string) =>
      run(sub, 'RequestDeadlineExtension', { requestId, requestedDeadline, reason: '汛期' }, town);
    await expect(ask('r-1', '2030-10-01')).rejects.toMatchObject({ code: 'EXTENSION_AFTER_PARENT_DEADLINE' });
    await ask('r-1', '2030-09-30');
    await expect(run(sub, 'ApproveDeadlineExtension', { requestId: 'r-1' }, inspector)).rejects.toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
    });
    expect(await run(sub, 'ApproveDeadlineExtension', { requestId: 'r-1' }, county)).toMatchObject({ changed: true });
  });
});
