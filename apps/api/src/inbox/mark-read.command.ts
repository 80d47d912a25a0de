import { ApiCommand } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';
import { ReadAnswer } from './inbox.service';

/** Mark a message of the caller's inbox read: a command on its task (`MarkTaskReminderRead`). */
export class MarkReadCommand extends ApiCommand<ReadAnswer> {
  constructor(
    context: CommandContext,
    readonly taskId: string,
    readonly reminderId: string,
  ) {
    super(context);
  }
}
