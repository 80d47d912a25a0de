import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { executeTaskCommand, TaskLifecycleCommand, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { REQUEST_FIELD_NAMES } from '../commands/request-fields';
import { ExecuteTaskCommand, TaskCommandAnswer } from './execute-task.command';

@CommandHandler(ExecuteTaskCommand)
export class ExecuteTaskHandler extends ApiCommandHandler<ExecuteTaskCommand, TaskCommandAnswer> {
  constructor(@Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps) {
    super();
  }

  protected async handle(
    { context, taskId, type, data }: ExecuteTaskCommand,
    metadata: CommandMetadata,
  ): Promise<TaskCommandAnswer> {
    const command = { type, data, metadata } as TaskLifecycleCommand;
    const { id, revision, status, changed } = await executeTaskCommand(
      this.deps,
      taskId,
      command,
      context.expectedRevision,
    );
    return { id, revision, status, changed };
  }

  protected override requestFieldNames({ type }: ExecuteTaskCommand) {
    return REQUEST_FIELD_NAMES[type];
  }
}
