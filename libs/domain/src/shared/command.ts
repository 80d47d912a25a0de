import { Actor } from './actor';

/** What the edge knows about a command and hands to the domain: the clock, the actor and the ids. */
export interface CommandMetadata {
  readonly actor: Actor;
  /** "Now" as an ISO-8601 instant, from the application's clock. */
  readonly now: string;
  readonly correlationId: string;
  readonly causationId?: string | null;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Readonly<Data>;
  readonly metadata: CommandMetadata;
}
