import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { assignTask, CLOCK, Clock, USE_CASE_DEPS, UseCaseDeps } from '@zhenggai/application';
import { CommandAnswer, CommandContext, commandMetadata } from '../commands/command-context';
import { namedAsInTheRequest, REQUEST_FIELD_NAMES } from '../commands/request-fields';
import { AssignTaskDto } from './assign-task.dto';

export class AssignTaskCommand {
  constructor(
    readonly context: CommandContext,
    readonly findingId: string,
    readonly body: AssignTaskDto,
  ) {}
}

@CommandHandler(AssignTaskCommand)
export class AssignTaskHandler implements ICommandHandler<AssignTaskCommand, CommandAnswer> {
  constructor(
    @Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ context, findingId, body }: AssignTaskCommand): Promise<CommandAnswer> {
    return namedAsInTheRequest(REQUEST_FIELD_NAMES.AssignRectificationTask, () =>
      assignTask(
        this.deps,
        {
          findingId,
          leadUnitId: body.unitId,
          cooperatingUnitIds: body.cooperatingUnitIds ?? [],
          deadline: body.deadline,
          measures: body.measures,
          target: body.target ? { quantity: body.target.quantity, unit: body.target.unit } : null,
          campaignId: body.campaignId ?? null,
          title: body.title ?? null,
          expectedFindingRevision: context.expectedRevision,
        },
        commandMetadata(context, this.clock),
      ),
    );
  }
}
