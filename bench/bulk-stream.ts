import { randomUUID } from 'node:crypto';
import { eventMetadataFor } from '@zhenggai/application';
import { Command, Decider, DomainEvent, rectificationTaskDecider, RectificationTaskState } from '@zhenggai/domain';
import type { BulkRow } from './projection-benchmark';

/** A stream written in bulk: each command decided against its state, the events stamped as the store's append would. */
export class BulkStream<C extends Command, E extends DomainEvent, S> {
  state: S;
  private revision = -1;

  constructor(
    private readonly name: string,
    private readonly decider: Decider<C, E, S>,
    private readonly sink: { rows: BulkRow[] },
  ) {
    this.state = decider.initialState();
  }

  decide(command: C): E[] {
    const events = this.decider.decide(command, this.state);
    const metadata = eventMetadataFor(command);
    for (const event of events) {
      this.sink.rows.push({
        stream_name: this.name,
        stream_revision: ++this.revision,
        event_id: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { ...metadata },
      });
      this.state = this.decider.evolve(this.state, event);
    }
    return events;
  }
}

export type TaskStream = BulkStream<
  Parameters<typeof rectificationTaskDecider.decide>[0],
  DomainEvent,
  RectificationTaskState
>;
