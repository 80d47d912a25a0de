import { CommandOrigin, IssueBulletinInput, IssuedBulletinAnswer } from '@zhenggai/application';
import { WorkerCommand } from '../commands/worker-command';

/** A weekly bulletin's run: issue the bulletin its schedule owes for a period (once, however often it is sent). */
export class IssueScheduledBulletinCommand extends WorkerCommand<IssuedBulletinAnswer> {
  constructor(
    origin: CommandOrigin,
    readonly input: IssueBulletinInput,
  ) {
    super(origin);
  }
}
