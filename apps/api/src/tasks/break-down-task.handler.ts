import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { breakDownTask, BreakDownTaskResult, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { BreakDownTaskCommand } from './break-down-task.command';

@CommandHandler(BreakDownTaskCommand)
export class BreakDownTaskHandler extends ApiCommandHandler<BreakDownTaskCommand, BreakDownTaskResult> {
  constructor(@Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps) {
    super();
  }

  protected handle({ input }: BreakDownTaskCommand, metadata: CommandMetadata): Promise<BreakDownTaskResult> {
    return breakDownTask(this.deps, input, metadata);
  }
}
