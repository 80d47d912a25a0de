import { Actor } from './actor';

/** What a decider emits: a plain object with a stable string type. Dates travel as ISO strings. */
export interface DomainEvent<Type extends string = string, Data = Record<string, unknown>> {
  readonly type: Type;
  readonly data: Readonly<Data>;
}

/** Stamped by the application when the event is appended. */
export interface EventMetadata {
  readonly actor: Actor;
  /** The business instant (from the clock) at which the command was decided. */
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly [key: string]: unknown;
}

export interface EventWithMetadata<E extends DomainEvent = DomainEvent> {
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: EventMetadata;
}
