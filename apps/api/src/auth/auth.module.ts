import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ChangePasswordHandler } from './change-password.handler';

@Module({
  controllers: [AuthController],
  providers: [AuthService, ChangePasswordHandler],
})
export class AuthModule {}
