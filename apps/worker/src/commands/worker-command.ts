import { Inject } from '@nestjs/common';
import { Command, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, Clock, CommandOrigin, commandMetadata } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';

/**
 * A command the worker sends in reaction to an event or a job, on its way to a use case through the CommandBus,
 * which answers `TResult`. It carries where it comes from (the system or the event's actor, the correlation, the
 * causing event), as an API command carries its request.
 */
export abstract class WorkerCommand<TResult> extends Command<TResult> {
  constructor(readonly origin: CommandOrigin) {
    super();
  }
}

/** Where the worker's reactions send their commands: the CommandBus (`execute(new X(...))` answers X's result). */
export interface WorkerCommands {
  execute<R>(command: WorkerCommand<R>): Promise<R>;
}

/**
 * The shell of every worker command handler, and the one place for the command's metadata (its origin, the time from
 * the clock). A handler maps its command to a use case call in `handle`, and nothing more.
 */
export abstract class WorkerCommandHandler<C extends WorkerCommand<R>, R> implements ICommandHandler<
  WorkerCommand<R>,
  R
> {
  @Inject(CLOCK) private readonly clock!: Clock;

  execute(command: C): Promise<R> {
    return this.handle(command, commandMetadata(command.origin, this.clock));
  }

  protected abstract handle(command: C, metadata: CommandMetadata): Promise<R>;
}
