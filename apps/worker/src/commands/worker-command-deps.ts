import { Clock, ReminderRecipientResolver, StreamAccess } from '@zhenggai/application';

/** What the worker's command handlers need: the event store (and its state cache), recipients, the clock. */
export const WORKER_COMMAND_DEPS = Symbol('WorkerCommandDeps');

export interface WorkerCommandDeps extends StreamAccess {
  readonly recipients: ReminderRecipientResolver;
  readonly clock: Clock;
}
