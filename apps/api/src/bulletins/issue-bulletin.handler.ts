import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { issueBulletin, IssueBulletinDeps, IssuedBulletinAnswer } from '@zhenggai/application';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { BULLETIN_DEPS } from '../infrastructure/tokens';
import { IssueBulletinCommand } from './issue-bulletin.command';

@CommandHandler(IssueBulletinCommand)
export class IssueBulletinHandler extends ApiCommandHandler<IssueBulletinCommand, IssuedBulletinAnswer> {
  constructor(@Inject(BULLETIN_DEPS) private readonly deps: IssueBulletinDeps) {
    super();
  }

  protected handle({ input }: IssueBulletinCommand, metadata: CommandMetadata): Promise<IssuedBulletinAnswer> {
    return issueBulletin(this.deps, input, metadata);
  }
}
