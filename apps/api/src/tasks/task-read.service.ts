import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock, EVENT_STORE, EventStore, loadStream, StoredEvent } from '@zhenggai/application';
import {
  Actor,
  dueInstant,
  isPastDeadline,
  NotFoundError,
  RectificationTaskState,
  rectificationTaskDecider,
  TASK_STATUS_LABELS,
  taskStreamName,
} from '@zhenggai/domain';

export type TaskView = Exclude<RectificationTaskState, { status: 'none' }> & {
  readonly id: string;
  readonly revision: number;
  readonly statusLabel: string;
  readonly dueAt: string;
  readonly overdue: boolean;
};

export interface HistoryEntry {
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly data: unknown;
  readonly actor: unknown;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
}

export const historyEntry = (event: StoredEvent): HistoryEntry => ({
  revision: event.revision,
  position: event.position.toString(),
  type: event.type,
  data: event.data,
  actor: event.metadata?.actor ?? null,
  occurredAt: event.metadata?.occurredAt ?? event.recordedAt,
  recordedAt: event.recordedAt,
  correlationId: event.metadata?.correlationId ?? null,
  causationId: event.metadata?.causationId ?? null,
});

/**
 * Tasks read straight from their streams (the projections of issue 3 take over lists and views).
 * A unit user sees only its own unit's tasks: others answer 404, so existence does not leak.
 */
@Injectable()
export class TaskReadService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async task(taskId: string, actor: Actor): Promise<TaskView> {
    const { state, revision } = await loadStream(this.store, rectificationTaskDecider, taskStreamName(taskId));
    if (state.status === 'none' || !visibleTo(state, actor)) throw new NotFoundError('RectificationTask', taskId);
    return this.view(taskId, state, revision);
  }

  async history(taskId: string, actor: Actor): Promise<HistoryEntry[]> {
    await this.task(taskId, actor);
    return (await this.store.readStream(taskStreamName(taskId))).map(historyEntry);
  }

  view(taskId: string, state: Exclude<RectificationTaskState, { status: 'none' }>, revision: number): TaskView {
    const open = state.status !== 'closed' && state.status !== 'cancelled';
    return {
      ...state,
      id: taskId,
      revision,
      statusLabel: TASK_STATUS_LABELS[state.status],
      dueAt: dueInstant(state.deadline).toISOString(),
      overdue: open && isPastDeadline(state.deadline, this.clock.now()),
    };
  }
}

export function visibleTo(state: Exclude<RectificationTaskState, { status: 'none' }>, actor: Actor): boolean {
  if (actor.role !== 'unit') return true;
  return state.leadUnitId === actor.unitId || state.cooperatingUnitIds.includes(actor.unitId ?? '');
}
