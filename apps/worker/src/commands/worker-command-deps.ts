import {
  Clock,
  IssueBulletinDeps,
  ReminderPolicySource,
  ReminderRecipientResolver,
  StreamAccess,
} from '@zhenggai/application';

/**
 * What the worker's command handlers need: the event store (and its state cache), recipients, the clock, and the
 * reminder ladders in force (pinned on the sub-tasks a break-down assigns).
 */
export const WORKER_COMMAND_DEPS = Symbol('WorkerCommandDeps');

export interface WorkerCommandDeps extends StreamAccess {
  readonly recipients: ReminderRecipientResolver;
  readonly clock: Clock;
  readonly reminderPolicies?: ReminderPolicySource;
  /** What issuing a weekly bulletin needs (its composer, renderer and file store); absent: the worker issues none. */
  readonly bulletins?: IssueBulletinDeps;
}
