import { AssignTaskInput, AssignTaskResult } from '@zhenggai/application';
import { ApiCommand } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';

/** 交办: assign a rectification task on a finding. */
export class AssignTaskCommand extends ApiCommand<AssignTaskResult> {
  constructor(
    context: CommandContext,
    readonly input: AssignTaskInput,
  ) {
    super(context);
  }
}
