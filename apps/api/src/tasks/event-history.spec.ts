import { StoredEvent } from '@zhenggai/application';
import { DomainEvent, taskStreamName, upcaster, UpcasterRegistry } from '@zhenggai/domain';
import { historyOf } from './event-history';

/** A shape `RectificationPlanRecorded` never had, standing for the first change to come: the plan as `text`. */
type PlanV1 = DomainEvent<'RectificationPlanRecorded', { taskId: string; text: string }>;
type PlanV2 = DomainEvent<'RectificationPlanRecorded', { taskId: string; plan: string }>;

const upcasters = new UpcasterRegistry([
  upcaster<PlanV1, PlanV2>({
    from: { type: 'RectificationPlanRecorded', version: 1 },
    to: 'RectificationPlanRecorded',
    upcast: ({ text, ...rest }) => ({ ...rest, plan: text }),
  }),
]);

const stored = (revision: number, type: string, data: object, metadata: object = {}): StoredEvent => ({
  id: `00000000-0000-4000-8000-00000000000${revision}`,
  streamName: taskStreamName('t-1'),
  revision,
  position: BigInt(revision + 7),
  type,
  data,
  metadata: {
    actor: { username: 'wangyan' },
    occurredAt: '2018-08-01T09:00:00+08:00',
    correlationId: 'c',
    ...metadata,
  },
  recordedAt: '2018-08-01T01:00:00.000Z',
  previousHash: revision === 0 ? null : `h${revision - 1}`,
  hash: `h${revision}`,
});

describe('a stream’s history', () => {
  it('shows an event stored in an older shape in its newest shape, with the hash chain as stored', () => {
    const old = stored(1, 'RectificationPlanRecorded', { taskId: 't-1', text: '一户一方案' });

    expect(historyOf([old], upcasters)).toEqual([
      {
        revision: 1,
        position: '8',
        type: 'RectificationPlanRecorded',
        data: { taskId: 't-1', plan: '一户一方案' },
        actor: { username: 'wangyan' },
        occurredAt: '2018-08-01T09:00:00+08:00',
        recordedAt: '2018-08-01T01:00:00.000Z',
        correlationId: 'c',
        causationId: null,
        previousHash: 'h0',
        hash: 'h1',
      },
    ]);
  });

  it('shows an event of the newest shape (its writer’s schemaVersion) as stored', () => {
    const current = stored(2, 'RectificationPlanRecorded', { taskId: 't-1', plan: '拆除' }, { schemaVersion: 2 });

    expect(historyOf([current], upcasters)[0]).toMatchObject({ type: 'RectificationPlanRecorded', data: current.data });
  });
});
