import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { completeBreakDown, UseCaseResult } from '@zhenggai/application';
import { WorkerCommandHandler } from '../commands/worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from '../commands/worker-command-deps';
import { CompleteBreakDownCommand } from './complete-break-down.command';

/** The sub-tasks are assigned as the break-down's actor at its time (the decision was taken then), not as of now. */
@CommandHandler(CompleteBreakDownCommand)
export class CompleteBreakDownHandler extends WorkerCommandHandler<CompleteBreakDownCommand, UseCaseResult[]> {
  constructor(@Inject(WORKER_COMMAND_DEPS) private readonly deps: WorkerCommandDeps) {
    super();
  }

  protected handle({ brokenDown }: CompleteBreakDownCommand): Promise<UseCaseResult[]> {
    return completeBreakDown(this.deps, brokenDown);
  }
}
