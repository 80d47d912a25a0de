import { ApiCommand } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';
import { Tokens } from './auth.service';

/** A user changes its own password, proving the current one; the answer is a new session. */
export class ChangePasswordCommand extends ApiCommand<Tokens> {
  constructor(
    context: CommandContext,
    readonly currentPassword: string,
    readonly newPassword: string,
    /** The client's address, for the brakes on guessing passwords. */
    readonly address: string,
  ) {
    super(context);
  }
}
