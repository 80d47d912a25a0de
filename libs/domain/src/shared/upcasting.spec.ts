import { DomainEvent } from './event';
import { upcaster, UpcasterRegistry, UpcasterRegistryError } from './upcasting';

type PlanV1 = DomainEvent<'PlanRecorded', { text: string }>;
type PlanV2 = DomainEvent<'PlanRecorded', { plan: string }>;
type PlanV3 = DomainEvent<'TaskPlanRecorded', { plan: string; steps: readonly string[] }>;

const v1ToV2 = upcaster<PlanV1, PlanV2>({
  from: { type: 'PlanRecorded', version: 1 },
  to: 'PlanRecorded',
  upcast: ({ text }) => ({ plan: text }),
});
const v2ToV3 = upcaster<PlanV2, PlanV3>({
  from: { type: 'PlanRecorded', version: 2 },
  to: 'TaskPlanRecorded',
  upcast: ({ plan }) => ({ plan, steps: plan.split('；') }),
});
const registry = new UpcasterRegistry([v2ToV3, v1ToV2]);

describe('UpcasterRegistry', () => {
  it('brings an event without a schema version (version 1) through every later version, keeping the rest of it', () => {
    const stored = { id: 'e-1', type: 'PlanRecorded', data: { text: '排查；改造' }, metadata: { actor: 'chen' } };

    expect(registry.upcast(stored)).toEqual({
      id: 'e-1',
      type: 'TaskPlanRecorded',
      data: { plan: '排查；改造', steps: ['排查', '改造'] },
      metadata: { actor: 'chen' },
    });
  });

  it('starts from the version the writer recorded in the metadata', () => {
    const stored = { type: 'PlanRecorded', data: { plan: '拆除' }, metadata: { schemaVersion: 2 } };

    expect(registry.upcast(stored)).toMatchObject({
      type: 'TaskPlanRecorded',
      data: { plan: '拆除', steps: ['拆除'] },
    });
  });

  it('hands back the very event when no upcaster reads it', () => {
    const current = { type: 'TaskPlanRecorded', data: { plan: '拆除', steps: [] }, metadata: {} };
    const other = { type: 'RectificationTaskAccepted', data: { taskId: 't' }, metadata: {} };

    expect(registry.upcast(current)).toBe(current);
    expect(UpcasterRegistry.none.upcastAll([other])[0]).toBe(other);
  });

  it('refuses two upcasters of one stored type and version', () => {
    expect(() => new UpcasterRegistry([v1ToV2, v1ToV2])).toThrow(
      new UpcasterRegistryError('two upcasters read V1.PlanRecorded'),
    );
  });
});
