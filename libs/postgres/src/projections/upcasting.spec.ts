import {
  loadStream,
  type EventStore,
  type Projection,
  type ProjectionEventSource,
  type StoredEvent,
} from '@zhenggai/application';
import {
  DEFAULT_REMINDER_POLICY,
  rectificationTaskDecider,
  taskStreamName,
  upcaster,
  UpcasterRegistry,
  type DomainEvent,
  type RectificationTaskAssigned,
} from '@zhenggai/domain';
import { readBatch } from './projection-batch';

/** A shape `RectificationTaskAssigned` never had, standing for the first change to come: one unit, no ladder. */
type AssignedV1 = DomainEvent<
  'RectificationTaskAssigned',
  Omit<RectificationTaskAssigned['data'], 'leadUnitId' | 'cooperatingUnitIds' | 'reminderPolicy'> & { unitId: string }
>;

const assignedV1ToV2 = upcaster<AssignedV1, RectificationTaskAssigned>({
  from: { type: 'RectificationTaskAssigned', version: 1 },
  to: 'RectificationTaskAssigned',
  upcast: ({ unitId, ...rest }) => ({
    ...rest,
    leadUnitId: unitId,
    cooperatingUnitIds: [],
    reminderPolicy: DEFAULT_REMINDER_POLICY,
  }),
});
const upcasters = new UpcasterRegistry([assignedV1ToV2]);

const taskId = 'task-caiying-housing';
const oldData: AssignedV1['data'] = {
  taskId,
  findingId: 'finding-caiying',
  title: '蔡郢村危房改造',
  regionId: 'region-caiying',
  category: '危房改造',
  unitId: 'unit-wangyan',
  deadline: '2018-09-30',
  measures: '一户一方案',
  target: { quantity: 217, unit: '户' },
  campaignId: null,
  assignedBy: 'user-inspector-li',
  parentTaskId: null,
  rootTaskId: taskId,
  depth: 0,
  assigningUnitId: null,
};
/** As the store gives it back: the old shape, version 1 (no `schemaVersion`). */
const stored: StoredEvent = {
  id: '00000000-0000-4000-8000-000000000001',
  streamName: taskStreamName(taskId),
  revision: 0,
  position: 1n,
  type: 'RectificationTaskAssigned',
  data: oldData,
  metadata: { actor: { userId: 'user-inspector-li' }, occurredAt: '2018-07-20T09:00:00+08:00' },
  recordedAt: '2018-07-20T01:00:00.000Z',
  previousHash: null,
  hash: 'h0',
};

describe('an event stored in an older shape', () => {
  it('is loaded into the decider’s state in its newest shape', async () => {
    const store = { readStream: async () => [stored] } as unknown as EventStore;

    const loaded = await loadStream(store, rectificationTaskDecider, taskStreamName(taskId), upcasters);

    expect(loaded.revision).toBe(0);
    expect(loaded.state).toMatchObject({
      status: 'assigned',
      leadUnitId: 'unit-wangyan',
      cooperatingUnitIds: [],
      reminderPolicy: DEFAULT_REMINDER_POLICY,
    });
    expect(loaded.events[0]).toMatchObject({
      id: stored.id,
      position: 1n,
      hash: 'h0',
      data: { leadUnitId: 'unit-wangyan' },
    });
    expect(loaded.events[0]!.data).not.toHaveProperty('unitId');
  });

  it(
    'is handed to projections in its newest shape, and the batch still ' + 'moves the checkpoint to its position',
    async () => {
      const source: ProjectionEventSource = {
        readPage: async () => ({ events: [stored], highWater: 1n }),
        readHead: async () => 1n,
        countEvents: async () => 1,
      };
      const projection = { name: 'tasks', eventTypePrefixes: ['RectificationTask'] } as unknown as Projection;

      const batch = await readBatch(source, projection, 0n, 100, upcasters);

      expect(batch.to).toBe(1n);
      expect(batch.events.map((e) => [e.type, e.data.leadUnitId, e.data.cooperatingUnitIds, e.data.unitId])).toEqual([
        ['RectificationTaskAssigned', 'unit-wangyan', [], undefined],
      ]);
    },
  );

  it('is handed back as stored by a registry without upcasters for it', async () => {
    const store = { readStream: async () => [stored] } as unknown as EventStore;

    expect(
      (await loadStream(store, rectificationTaskDecider, taskStreamName(taskId), UpcasterRegistry.none)).events[0],
    ).toBe(stored);
  });
});
