import { IssueBulletinInput, IssuedBulletinAnswer } from '@zhenggai/application';
import { ApiCommand } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';

/** 情况通报: issue a bulletin, or a new version of one. */
export class IssueBulletinCommand extends ApiCommand<IssuedBulletinAnswer> {
  constructor(
    context: CommandContext,
    readonly input: IssueBulletinInput,
  ) {
    super(context);
  }
}
