import { Directory } from '../directory/directory.port';
import { IdGenerator } from '../ids/id-generator.port';
import { StreamAccess } from '../command-handling/decide-and-append';
import { ReminderPolicySource } from '../reminders/reminder-policy-source.port';
import { EvidenceIndex } from '../references/references';

/** What the write-side use cases need. The apps pass their adapters in. */
export const USE_CASE_DEPS = Symbol('UseCaseDeps');

export interface UseCaseDeps extends StreamAccess {
  readonly directory: Directory;
  readonly ids: IdGenerator;
  /** Where the reminder ladder in force comes from; without it, tasks get the default ladder. */
  readonly reminderPolicies?: ReminderPolicySource;
  /** Uploaded evidence, for the checks of what a command cites; without it, commands may cite no uploaded file. */
  readonly evidence?: EvidenceIndex;
}

export interface UseCaseResult {
  readonly id: string;
  readonly revision: number;
}
