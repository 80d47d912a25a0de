import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore, loadStream } from '@zhenggai/application';
import { Actor, campaignDecider, NotFoundError } from '@zhenggai/domain';
import { DirectoryView } from '../directory/directory-view';
import { FindingReadService } from '../findings/finding-read.service';
import { TaskReadService } from '../tasks/task-read.service';

/**
 * Whether a stream lies within an actor's reach, by what it is: a task or a finding the actor may read, or a
 * campaign that concerns its region. Any other stream (the directory's, say) is not, for a scoped actor.
 */
@Injectable()
export class StreamReach {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directoryView: DirectoryView,
    private readonly tasks: TaskReadService,
    private readonly findings: FindingReadService,
  ) {}

  async sees(actor: Actor, streamName: string): Promise<boolean> {
    const [category, ...rest] = streamName.split('-');
    const id = rest.join('-');
    const readable = (read: Promise<unknown>) =>
      read.then(
        () => true,
        (error: unknown) => {
          if (error instanceof NotFoundError) return false;
          throw error;
        },
      );
    if (category === 'rectificationTask') return readable(this.tasks.task(id, actor));
    if (category === 'finding') return readable(this.findings.finding(id, actor));
    if (category === 'campaign') {
      const { state } = await loadStream(this.store, campaignDecider, streamName);
      return state.status !== 'none' && (await this.directoryView.overlaps(actor, state.scope.regionId));
    }
    return false;
  }
}
