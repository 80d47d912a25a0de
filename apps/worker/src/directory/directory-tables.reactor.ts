import { CheckpointStore, Directory, EventStore, StoredEvent } from '@zhenggai/application';
import { DIRECTORY_EVENT_PREFIXES } from '@zhenggai/domain';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';

export const DIRECTORY_TABLES = 'directory-tables';

/**
 * The directory's tables follow its events: a command applies its own events at once (read your own
 * writes), and this reaction applies every directory event again from its checkpoint, so one whose process
 * died between appending and applying still reaches the tables. Applying is idempotent by stream revision.
 */
export class DirectoryTablesReactor extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    private readonly directory: Directory,
  ) {
    super(store, checkpoints, DIRECTORY_TABLES, DIRECTORY_EVENT_PREFIXES);
  }

  protected apply(events: readonly StoredEvent[]): Promise<void> {
    return this.directory.apply(events);
  }
}
