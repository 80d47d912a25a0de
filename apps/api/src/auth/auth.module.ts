import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ChangePasswordHandler } from './change-password.handler';
import { SignInRateLimit } from './sign-in-rate-limit';

@Module({
  controllers: [AuthController],
  providers: [AuthService, ChangePasswordHandler, SignInRateLimit],
})
export class AuthModule {}
