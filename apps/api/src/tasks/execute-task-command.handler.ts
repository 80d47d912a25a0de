import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, Clock, executeTaskCommand, TaskLifecycleCommand, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandAnswer, CommandContext, commandMetadata } from '../commands/command-context';
import { namedAsInTheRequest, REQUEST_FIELD_NAMES } from '../commands/request-fields';

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
    @Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ context, taskId, type, data }: ExecuteTaskCommand): Promise<CommandAnswer> {
    const command = { type, data, metadata: commandMetadata(context, this.clock) } as TaskLifecycleCommand;
    return namedAsInTheRequest(REQUEST_FIELD_NAMES[type], async () => {
      const { id, revision, status, changed } = await executeTaskCommand(this.deps, taskId, command, context.expectedRevision);
      return { id, revision, status, changed };
    });
  }
}
