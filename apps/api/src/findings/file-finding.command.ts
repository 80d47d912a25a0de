import { FileFindingInput } from '@zhenggai/application';
import { ApiCommand } from '../commands/api-command';
import { CommandAnswer, CommandContext } from '../commands/command-context';

/** 发现问题: file a finding. */
export class FileFindingCommand extends ApiCommand<CommandAnswer> {
  constructor(
    context: CommandContext,
    readonly input: FileFindingInput,
  ) {
    super(context);
  }
}
