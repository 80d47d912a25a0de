import { Actor, CommandMetadata } from '@zhenggai/domain';
import { Clock } from '../clock/clock.port';

/**
 * Where a command comes from, as its sender knows it: the API's request (its user, `Idempotency-Key`, correlation id)
 * or the event a worker reacts to (the system or the event's actor, the event's correlation, the event as its cause).
 */
export interface CommandOrigin {
  readonly actor: Actor;
  readonly correlationId: string;
  /** The event that caused the command; null or absent for a request. */
  readonly causationId?: string | null;
  /** The command's own id when its sender may send it again (see `CommandMetadata`). */
  readonly commandId?: string;
}

/** The metadata every command carries, for API and worker alike: its origin, and the time from the clock. */
export function commandMetadata(origin: CommandOrigin, clock: Clock): CommandMetadata {
  const { actor, correlationId, causationId = null, commandId } = origin;
  return { actor, now: clock.now().toISOString(), correlationId, causationId, ...(commandId ? { commandId } : {}) };
}
