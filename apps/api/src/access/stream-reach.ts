import { Inject, Injectable } from '@nestjs/common';
import { DIRECTORY, Directory, EVENT_STORE, EventStore, maySeeStream } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';

/** Whether a stream lies within an actor's reach (the rule: `maySeeStream` in the application layer). */
@Injectable()
export class StreamReach {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  sees(actor: Actor, streamName: string): Promise<boolean> {
    return maySeeStream({ store: this.store, directory: this.directory }, actor, streamName);
  }
}
