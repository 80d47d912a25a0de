import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { USER_REPOSITORY, UserRepository } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { AuthService, publicUser } from './auth.service';
import { CurrentActor } from './current-actor.decorator';
import { LoginDto } from './login.dto';
import { Public } from './public.decorator';
import { ProblemException } from '../http/problem-details';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a username and password for a bearer token' })
  login(@Body() body: LoginDto) {
    return this.auth.login(body.username, body.password);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer token belongs to' })
  async me(@CurrentActor() actor: Actor) {
    const user = await this.users.findById(actor.userId);
    if (!user) throw ProblemException.of(401, 'UNAUTHENTICATED', 'Authentication required', 'this account no longer exists');
    return publicUser(user);
  }
}
