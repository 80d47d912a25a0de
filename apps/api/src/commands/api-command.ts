import { Inject } from '@nestjs/common';
import { Command, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, Clock, commandMetadata } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { CommandContext } from './command-context';
import { namedAsInTheRequest, RequestFieldNames } from './request-fields';

/**
 * A state-changing request on its way to a use case, sent with `CommandBus.execute`, which answers `TResult`
 * (typed: `execute(new X(...))` is a `Promise<TResult>`). Every command the API takes is one, and carries what the
 * edge knows of its request (actor, Idempotency-Key, correlation id, If-Match); reads are plain service calls.
 */
export abstract class ApiCommand<TResult> extends Command<TResult> {
  constructor(readonly context: CommandContext) {
    super();
  }
}

/**
 * The shell of every command handler, and the one place for what all commands share: the command's metadata
 * (actor, time from the clock, correlation and command ids), and refusals named as the request names its fields.
 * A handler maps its command to a use case call in `handle`, and nothing more.
 */
export abstract class ApiCommandHandler<C extends ApiCommand<R>, R> implements ICommandHandler<ApiCommand<R>, R> {
  @Inject(CLOCK) private readonly clock!: Clock;

  execute(command: C): Promise<R> {
    const metadata = commandMetadata(command.context, this.clock);
    return namedAsInTheRequest(this.requestFieldNames(command), () => this.handle(command, metadata));
  }

  protected abstract handle(command: C, metadata: CommandMetadata): Promise<R>;

  /** Where the request names a field otherwise than the domain command (see `REQUEST_FIELD_NAMES`). */
  protected requestFieldNames(_command: C): RequestFieldNames | undefined {
    return undefined;
  }
}
