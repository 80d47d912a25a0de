import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, Clock, EVENT_STORE, EventStore, executeTaskCommand, TaskLifecycleCommand } from '@zhenggai/application';
import { CommandAnswer, CommandContext, commandMetadata } from '../commands/command-context';

/** One lifecycle command on an existing task, as it comes from HTTP. */
export class ExecuteTaskCommand<C extends TaskLifecycleCommand = TaskLifecycleCommand> {
  constructor(
    readonly context: CommandContext,
    readonly taskId: string,
    readonly type: C['type'],
    readonly data: C['data'],
  ) {}
}

@CommandHandler(ExecuteTaskCommand)
export class ExecuteTaskCommandHandler implements ICommandHandler<ExecuteTaskCommand, CommandAnswer> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ context, taskId, type, data }: ExecuteTaskCommand): Promise<CommandAnswer> {
    const command = { type, data, metadata: commandMetadata(context, this.clock) } as TaskLifecycleCommand;
    return executeTaskCommand(this.store, taskId, command, context.expectedRevision);
  }
}
