import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { USER_REPOSITORY, UserRepository } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { AuthService, publicUser } from './auth.service';
import { CurrentActor } from '../access/current-actor.decorator';
import { AuthenticatedRequest, HttpRequest } from '../access/authenticated-request';
import { ChangePasswordDto } from './change-password.dto';
import { LoginDto } from './login.dto';
import { RefreshDto } from './refresh.dto';
import { Public } from '../access/public.decorator';
import { CommandContext, CommandCtx } from '../commands/command-context';
import { ChangePasswordCommand } from './change-password.command';
import { ProblemException } from '../http/problem-details';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly commands: CommandBus,
    private readonly auth: AuthService,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a username and password for a bearer token' })
  login(@Body() body: LoginDto, @Req() request: HttpRequest) {
    return this.auth.login(body.username, body.password, request.ip);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token (once) for a new access token and refresh token' })
  refresh(@Body() body: RefreshDto) {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change your own password: every session of yours ends, and the answer is a new one (as from login)',
  })
  changePassword(@Body() body: ChangePasswordDto, @CommandCtx() ctx: CommandContext, @Req() request: HttpRequest) {
    return this.commands.execute(new ChangePasswordCommand(ctx, body.currentPassword, body.newPassword, request.ip));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session: its access and refresh tokens stop working' })
  async logout(@Req() request: AuthenticatedRequest) {
    await this.auth.logout(request.sessionId);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer token belongs to' })
  async me(@CurrentActor() actor: Actor) {
    const user = await this.users.findById(actor.userId);
    if (!user)
      throw ProblemException.of(401, 'UNAUTHENTICATED', 'Authentication required', 'this account no longer exists');
    return publicUser(user);
  }
}
