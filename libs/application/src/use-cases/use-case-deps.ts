import { Directory } from '../directory/directory.port';
import { EventStore } from '../event-store/event-store.port';
import { IdGenerator } from '../ids/id-generator.port';
import { StreamStateCache } from '../command-handling/stream-state-cache';
import { ReminderPolicySource } from '../reminders/reminder-policy-source.port';
import { EvidenceIndex } from '../references/references';

/** What the write-side use cases need. The apps pass their adapters in. */
export const USE_CASE_DEPS = Symbol('UseCaseDeps');

export interface UseCaseDeps {
  readonly store: EventStore;
  readonly directory: Directory;
  readonly ids: IdGenerator;
  /** The states this process last wrote, to skip a read before the next command on the same stream. */
  readonly cache?: StreamStateCache;
  /** Where the reminder ladder in force comes from; without it, tasks get the default ladder. */
  readonly reminderPolicies?: ReminderPolicySource;
  /** Uploaded evidence, for the checks of what a command cites; without it, commands may cite no uploaded file. */
  readonly evidence?: EvidenceIndex;
}

export interface UseCaseResult {
  readonly id: string;
  readonly revision: number;
}
