import { BreakDownTaskInput, BreakDownTaskResult } from '@zhenggai/application';
import { ApiCommand } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';

/** 分解: break an accepted task down into sub-tasks for units below the lead unit. */
export class BreakDownTaskCommand extends ApiCommand<BreakDownTaskResult> {
  constructor(
    context: CommandContext,
    readonly input: BreakDownTaskInput,
  ) {
    super(context);
  }
}
