import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { issueBulletin, IssuedBulletinAnswer } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { WorkerCommandHandler } from '../commands/worker-command';
import { WORKER_COMMAND_DEPS, WorkerCommandDeps } from '../commands/worker-command-deps';
import { IssueScheduledBulletinCommand } from './issue-scheduled-bulletin.command';

@CommandHandler(IssueScheduledBulletinCommand)
export class IssueScheduledBulletinHandler extends WorkerCommandHandler<
  IssueScheduledBulletinCommand,
  IssuedBulletinAnswer
> {
  constructor(@Inject(WORKER_COMMAND_DEPS) private readonly deps: WorkerCommandDeps) {
    super();
  }

  protected handle({ input }: IssueScheduledBulletinCommand, metadata: CommandMetadata): Promise<IssuedBulletinAnswer> {
    if (!this.deps.bulletins) throw new Error('this worker was started without what issuing a bulletin needs');
    return issueBulletin(this.deps.bulletins, input, metadata);
  }
}
