import { Actor } from './actor';

/** What the edge knows about a command and hands to the domain: the clock, the actor and the ids. */
export interface CommandMetadata {
  readonly actor: Actor;
  /** "Now" as an ISO-8601 instant, from the application's clock. */
  readonly now: string;
  readonly correlationId: string;
  readonly causationId?: string | null;
  /**
   * The command's own id when its caller may send it again (from an `Idempotency-Key`, or a row of a 问题清单
   * import): every attempt carries the same one, as its correlation id too unless the command is one of a larger
   * whole with a correlation id of its own (the import's). The events an earlier attempt stored are found by it,
   * and the ids the command creates follow from it, so that a retry completes the first attempt instead of
   * repeating it.
   */
  readonly commandId?: string;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Readonly<Data>;
  readonly metadata: CommandMetadata;
}
