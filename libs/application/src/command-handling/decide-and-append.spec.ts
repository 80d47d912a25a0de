import {
  Actor,
  CommandMetadata,
  ConcurrencyError,
  RectificationTaskCommand,
  rectificationTaskDecider,
  taskStreamName,
} from '@zhenggai/domain';
import { InMemoryEventStore } from '../testing/in-memory-event-store';
import { decideAndAppend, loadChecked, LOST_RACE_ATTEMPTS } from './decide-and-append';
import { StreamStateCache } from './stream-state-cache';

const inspector: Actor = { userId: 'u-inspector', username: 'inspector', role: 'inspector', unitId: 'unit-office' };
const unit: Actor = { userId: 'u-unit', username: 'unit', role: 'unit', unitId: 'unit-town' };
const otherUnit: Actor = { userId: 'u-other', username: 'other', role: 'unit', unitId: 'unit-village' };
const metadata = (actor: Actor): CommandMetadata => ({ actor, now: '2018-05-17T09:00:00+08:00', correlationId: 'c' });
const taskId = 'task-1';
const stream = taskStreamName(taskId);

const assign: RectificationTaskCommand = {
  type: 'AssignRectificationTask',
  data: {
    taskId,
    findingId: 'f-1',
    title: '拆除破旧房屋',
    regionId: 'r-1',
    category: 'old-housing',
    leadUnitId: 'unit-town',
    cooperatingUnitIds: [],
    deadline: '2018-07-15',
    measures: '拆除',
    target: null,
    campaign: null,
    parent: null,
  },
  metadata: metadata(inspector),
};
const accept = (actor: Actor): RectificationTaskCommand => ({
  type: 'AcceptRectificationTask',
  data: {},
  metadata: metadata(actor),
});
const plan: RectificationTaskCommand = {
  type: 'RecordRectificationPlan',
  data: { plan: '一户一方案' },
  metadata: metadata(unit),
};
const reassign: RectificationTaskCommand = {
  type: 'ReassignRectificationTask',
  data: { leadUnitId: 'unit-village', cooperatingUnitIds: [], reason: '改由村委会牵头', subtaskStatuses: {} },
  metadata: metadata(inspector),
};

/** Two API processes over one store: each has its own cache; neither sees the other's writes in it. */
async function twoProcesses() {
  const store = new InMemoryEventStore();
  const a = new StreamStateCache();
  const b = new StreamStateCache();
  await decideAndAppend(store, rectificationTaskDecider, stream, assign, { cache: a });
  return { store, a, b };
}

describe('deciding and appending with a cache of written states', () => {
  it('skips the read before the next command on a stream this process wrote', async () => {
    const { store, a } = await twoProcesses();
    const reads = store.streamReads;
    const accepted = await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit), { cache: a });
    expect(accepted.revision).toBe(1);
    expect(store.streamReads).toBe(reads);
  });

  it('decides again on a fresh read when another process moved the stream on', async () => {
    const { store, a, b } = await twoProcesses();
    // a's cache still says assigned
    await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit), { cache: b });
    const planned = await decideAndAppend(store, rectificationTaskDecider, stream, plan, { cache: a });
    expect(planned).toMatchObject({ revision: 2, state: { status: 'in_progress' } });
    expect(store.events.map((e) => e.type)).toEqual([
      'RectificationTaskAssigned',
      'RectificationTaskAccepted',
      'RectificationTaskPlanRecorded',
    ]);
  });

  it('never refuses on a stale state: a command refused by the cached state is decided on the stored one', async () => {
    const { store, a, b } = await twoProcesses();
    await decideAndAppend(store, rectificationTaskDecider, stream, reassign, { cache: b }); // now the village's task
    const accepted = await decideAndAppend(store, rectificationTaskDecider, stream, accept(otherUnit), { cache: a });
    expect(accepted).toMatchObject({ revision: 2, state: { status: 'accepted', leadUnitId: 'unit-village' } });
  });

  it('never answers "nothing to do" from a stale state', async () => {
    const { store, a, b } = await twoProcesses();
    await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit), { cache: a });
    // back to assigned, new unit
    await decideAndAppend(store, rectificationTaskDecider, stream, reassign, { cache: b });
    // a's cache says the town already accepted (a no-op); the store says the task is no longer the town's.
    await expect(
      decideAndAppend(store, rectificationTaskDecider, stream, accept(unit), { cache: a }),
    ).rejects.toMatchObject({ code: 'NOT_YOUR_UNIT' });
  });

  it('honours If-Match against the stored revision, not the cached one', async () => {
    const { store, a, b } = await twoProcesses();
    await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit), { cache: b });
    const planned = await decideAndAppend(store, rectificationTaskDecider, stream, plan, {
      cache: a,
      expectedRevision: 1,
    });
    expect(planned.revision).toBe(2);
    await expect(
      decideAndAppend(
        store,
        rectificationTaskDecider,
        stream,
        { ...plan, data: { plan: '改' } },
        { cache: b, expectedRevision: 1 },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('retries a lost race without If-Match, and gives it up with one', async () => {
    const store = new InMemoryEventStore();
    await decideAndAppend(store, rectificationTaskDecider, stream, assign);
    await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit));
    // Another writer slips a progress report in between this command's read and its append.
    const racing = Object.create(store) as InMemoryEventStore;
    let raced = false;
    racing.appendToStream = async (name, events, options) => {
      if (!raced) {
        raced = true;
        const progress = { taskId, unitId: 'unit-town', quantityDone: null, note: '进展', evidence: [] };
        await store.appendToStream(name, [{ type: 'RectificationTaskProgressReported', data: progress, metadata: {} }]);
      }
      return store.appendToStream(name, events, options);
    };
    const planned = await decideAndAppend(racing, rectificationTaskDecider, stream, plan);
    expect(planned.revision).toBe(3);

    raced = false;
    await expect(
      decideAndAppend(
        racing,
        rectificationTaskDecider,
        stream,
        { ...plan, data: { plan: '再改' } },
        { expectedRevision: 3 },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('retries as long as other writers keep getting there first, up to LOST_RACE_ATTEMPTS', async () => {
    const store = new InMemoryEventStore();
    await decideAndAppend(store, rectificationTaskDecider, stream, assign);
    await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit));
    // Another writer's progress report lands between this command's every read and its append, `races` times.
    const racedTimes = (races: number) => {
      const racing = Object.create(store) as InMemoryEventStore;
      let raced = 0;
      racing.appendToStream = async (name, events, options) => {
        if (raced < races) {
          raced++;
          const progress = { taskId, unitId: 'unit-town', quantityDone: null, note: '进展', evidence: [] };
          const data = { type: 'RectificationTaskProgressReported', data: progress, metadata: {} };
          await store.appendToStream(name, [data]);
        }
        return store.appendToStream(name, events, options);
      };
      return racing;
    };
    const report = (note: string): RectificationTaskCommand => ({
      type: 'ReportRectificationProgress',
      data: { quantityDone: null, note, evidence: [], subtaskStatuses: {} },
      metadata: metadata(unit),
    });
    const stored = await decideAndAppend(
      racedTimes(LOST_RACE_ATTEMPTS - 1),
      rectificationTaskDecider,
      stream,
      report('终于'),
    );
    expect(stored.revision).toBe(2 + LOST_RACE_ATTEMPTS - 1);

    await expect(
      decideAndAppend(racedTimes(LOST_RACE_ATTEMPTS), rectificationTaskDecider, stream, report('放弃')),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('checks a stream on the cached state, and refuses only on the stored one', async () => {
    const { store, a, b } = await twoProcesses();
    const accepted = (loaded: { state: { status: string } }) => {
      if (loaded.state.status !== 'accepted') throw new Error('not accepted');
    };
    // a's cache still says assigned
    await decideAndAppend(store, rectificationTaskDecider, stream, accept(unit), { cache: b });
    const reads = store.streamReads;
    const checked = await loadChecked({ store, cache: a }, rectificationTaskDecider, stream, accepted);
    expect(checked).toMatchObject({ revision: 1, fromCache: false, state: { status: 'accepted' } });
    expect(store.streamReads).toBe(reads + 1);

    const trusted = await loadChecked({ store, cache: b }, rectificationTaskDecider, stream, accepted);
    expect(trusted).toMatchObject({ revision: 1, fromCache: true });
    expect(store.streamReads).toBe(reads + 1);
    await expect(
      loadChecked({ store, cache: b }, rectificationTaskDecider, stream, () => accepted({ state: { status: 'x' } })),
    ).rejects.toThrow('not accepted');
  });
});
