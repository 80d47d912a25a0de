import { CommandHandler } from '@nestjs/cqrs';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { AuthService, Tokens } from './auth.service';
import { ChangePasswordCommand } from './change-password.command';

@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler extends ApiCommandHandler<ChangePasswordCommand, Tokens> {
  constructor(private readonly auth: AuthService) {
    super();
  }

  protected handle(
    { currentPassword, newPassword, address }: ChangePasswordCommand,
    metadata: CommandMetadata,
  ): Promise<Tokens> {
    return this.auth.changePassword(metadata, currentPassword, newPassword, address);
  }
}
