import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { assignTask, AssignTaskResult, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { REQUEST_FIELD_NAMES } from '../commands/request-fields';
import { AssignTaskCommand } from './assign-task.command';

@CommandHandler(AssignTaskCommand)
export class AssignTaskHandler extends ApiCommandHandler<AssignTaskCommand, AssignTaskResult> {
  constructor(@Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps) {
    super();
  }

  protected handle({ input }: AssignTaskCommand, metadata: CommandMetadata): Promise<AssignTaskResult> {
    return assignTask(this.deps, input, metadata);
  }

  protected override requestFieldNames() {
    return REQUEST_FIELD_NAMES.AssignRectificationTask;
  }
}
