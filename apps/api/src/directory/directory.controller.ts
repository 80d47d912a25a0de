import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DIRECTORY,
  Directory,
  ID_GENERATOR,
  IdGenerator,
  PASSWORD_HASHER,
  PasswordHasher,
  USER_REPOSITORY,
  UserRepository,
  UsernameTakenError,
  checkPasswordPolicy,
} from '@zhenggai/application';
import { Actor, NotFoundError, ValidationError } from '@zhenggai/domain';
import { ActiveSessions } from '../auth/active-sessions';
import { CurrentActor } from '../auth/current-actor.decorator';
import { publicUser } from '../auth/auth.service';
import { Roles } from '../auth/roles.decorator';
import { ProblemException } from '../http/problem-details';
import { CreateRegionDto, CreateUnitDto, CreateUserDto } from './directory.dto';

/** Regions, units and users. Everyone signed in reads the tree and the units; only an admin changes them. */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('api')
export class DirectoryController {
  constructor(
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly sessions: ActiveSessions,
  ) {}

  @Get('regions')
  @ApiOperation({ summary: 'The region tree 市 › 县 › 乡镇 › 村, as a flat list with parent ids' })
  regions() {
    return this.directory.listRegions();
  }

  @Post('regions')
  @Roles('admin')
  async addRegion(@Body() body: CreateRegionDto) {
    const parentId = body.parentId ?? null;
    if (parentId && !(await this.directory.getRegion(parentId))) {
      throw new ValidationError('parentId', `region ${parentId} does not exist`);
    }
    const region = { id: this.ids.newId(), code: body.code, name: body.name, level: body.level, parentId };
    await this.directory.addRegion(region).catch(conflict('code', `a region with code ${body.code} exists`));
    return region;
  }

  @Get('units')
  @ApiOperation({ summary: 'Responsible units (责任单位) and offices' })
  async units() {
    // Delivery channels carry robot tokens: an admin reads them at GET /api/units/:id/channels.
    return (await this.directory.listUnits()).map(({ channels: _channels, ...unit }) => unit);
  }

  @Post('units')
  @Roles('admin')
  async addUnit(@Body() body: CreateUnitDto) {
    if (!(await this.directory.getRegion(body.regionId))) {
      throw new ValidationError('regionId', `region ${body.regionId} does not exist`);
    }
    const unit = { id: this.ids.newId(), name: body.name, regionId: body.regionId, headName: body.headName ?? null, contact: body.contact ?? null };
    await this.directory.addUnit(unit).catch(conflict('name', `a unit named ${body.name} exists`));
    return unit;
  }

  @Get('users')
  @Roles('admin')
  async listUsers() {
    return (await this.users.list()).map(publicUser);
  }

  @Post('users')
  @Roles('admin')
  async addUser(@Body() body: CreateUserDto) {
    const unitId = body.unitId ?? null;
    if (body.role === 'unit' && !unitId) throw new ValidationError('unitId', 'a unit user needs a unitId');
    if (unitId && !(await this.directory.getUnit(unitId))) throw new ValidationError('unitId', `unit ${unitId} does not exist`);
    const user = {
      id: this.ids.newId(),
      username: body.username,
      displayName: body.displayName,
      role: body.role,
      unitId,
      passwordHash: await this.hasher.hash(checkPasswordPolicy(body.password, body.username)),
    };
    try {
      await this.users.create(user);
    } catch (error) {
      if (error instanceof UsernameTakenError) throw ProblemException.of(409, 'USERNAME_TAKEN', 'Conflict', error.message);
      throw error;
    }
    return publicUser({ ...user, disabled: false });
  }

  @Post('users/:id/disable')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disables an account at once: its sessions end and it cannot sign in' })
  async disableUser(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    if (id === actor.userId) throw new ValidationError('id', 'an admin cannot disable their own account');
    if (!(await this.users.setDisabled(id, true))) throw new NotFoundError('User', id);
    await this.sessions.endAllOf(id);
    return { id, disabled: true };
  }

  @Post('users/:id/enable')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enables a disabled account again' })
  async enableUser(@Param('id', ParseUUIDPipe) id: string) {
    if (!(await this.users.setDisabled(id, false))) throw new NotFoundError('User', id);
    return { id, disabled: false };
  }
}

function conflict(field: string, detail: string) {
  return (error: unknown): never => {
    if ((error as { code?: string }).code === '23505') {
      throw new ProblemException({ ...ProblemException.of(409, 'DUPLICATE', 'Conflict', detail).problem, field });
    }
    throw error;
  };
}
