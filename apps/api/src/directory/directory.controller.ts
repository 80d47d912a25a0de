import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DIRECTORY, Directory, DirectoryResult, USER_REPOSITORY, UserRepository } from '@zhenggai/application';
import { Actor, NotFoundError } from '@zhenggai/domain';
import { CurrentActor } from '../access/current-actor.decorator';
import { publicUser } from '../auth';
import { Roles } from '../access/roles.decorator';
import { CommandContext, CommandCtx, withETag } from '../commands/command-context';
import {
  CreateCategoryDto,
  CreateRegionDto,
  CreateUnitDto,
  CreateUserDto,
  RenameDto,
  SetPasswordDto,
  UpdateUnitDto,
  UpdateUserAccessDto,
} from './directory.dto';
import { DirectoryView } from '../access/directory-view';
import {
  ChangeUnitDetailsCommand,
  ChangeUserAccessCommand,
  CreateRegionCommand,
  DefineCategoryCommand,
  DisableUserCommand,
  EnableUserCommand,
  RegisterUnitCommand,
  RegisterUserCommand,
  RenameCategoryCommand,
  RenameRegionCommand,
  SetUserPasswordCommand,
} from './directory.commands';

type Reply = { header(name: string, value: string): unknown };

/**
 * Regions, units, categories and users: everyone signed in reads what is within its reach; only an admin
 * changes them, and every change is an event of the entry's stream (its history is in GET /api/audit).
 */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('api')
export class DirectoryController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    private readonly view: DirectoryView,
  ) {}

  @Get('regions')
  @ApiOperation({
    summary: 'The region tree 市 › 县 › 乡镇 › 村 within reach, as a flat list with parent ids and paths',
  })
  regions(@CurrentActor() actor: Actor) {
    return this.view.regions(actor);
  }

  @Get('regions/:id')
  async region(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return (await this.view.region(actor, id)) ?? notFound('Region', id);
  }

  @Post('regions')
  @Roles('admin')
  @ApiOperation({ summary: 'Adds a region under its parent (its id follows from its administrative code)' })
  async addRegion(
    @Body() body: CreateRegionDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    const input = { code: body.code, name: body.name, level: body.level, parentId: body.parentId ?? null };
    return this.answer(res, this.commands.execute(new CreateRegionCommand(context, input)), (id) =>
      this.directory.getRegion(id),
    );
  }

  @Patch('regions/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Renames a region (its code and place in the tree never change)' })
  renameRegion(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RenameDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    return this.answer(res, this.commands.execute(new RenameRegionCommand(context, id, body.name)), (rid) =>
      this.directory.getRegion(rid),
    );
  }

  @Get('units')
  @ApiOperation({ summary: 'Responsible units (责任单位) and offices within reach' })
  async units(@CurrentActor() actor: Actor) {
    // Delivery channels carry robot tokens: an admin reads them at GET /api/units/:id/channels.
    return (await this.view.units(actor)).map(withoutChannels);
  }

  @Get('units/:id')
  async unit(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const unit = await this.view.unit(actor, id);
    return unit ? withoutChannels(unit) : notFound('Unit', id);
  }

  @Post('units')
  @Roles('admin')
  async addUnit(
    @Body() body: CreateUnitDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    const input = {
      name: body.name,
      regionId: body.regionId,
      headName: body.headName ?? null,
      contact: body.contact ?? null,
    };
    return this.answer(res, this.commands.execute(new RegisterUnitCommand(context, input)), (id) => this.unitOf(id));
  }

  @Patch('units/:id')
  @Roles('admin')
  @ApiOperation({ summary: "Changes a unit's name, head or contact" })
  updateUnit(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUnitDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    const input = { name: body.name, headName: body.headName ?? null, contact: body.contact ?? null };
    return this.answer(res, this.commands.execute(new ChangeUnitDetailsCommand(context, id, input)), (uid) =>
      this.unitOf(uid),
    );
  }

  @Get('categories')
  @ApiOperation({ summary: 'The categories findings and campaigns name by code' })
  categories() {
    return this.directory.listCategories();
  }

  @Post('categories')
  @Roles('admin')
  async addCategory(
    @Body() body: CreateCategoryDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    return this.answer(
      res,
      this.commands.execute(new DefineCategoryCommand(context, { code: body.code, name: body.name })),
      (id) => this.categoryOf(id),
    );
  }

  @Patch('categories/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Renames a category (its code never changes)' })
  renameCategory(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RenameDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    return this.answer(res, this.commands.execute(new RenameCategoryCommand(context, id, body.name)), (cid) =>
      this.categoryOf(cid),
    );
  }

  @Get('users')
  @Roles('admin')
  async listUsers() {
    return (await this.users.list()).map(publicUser);
  }

  @Get('users/:id')
  @Roles('admin')
  async user(@Param('id', ParseUUIDPipe) id: string) {
    const user = await this.users.findById(id);
    return user ? publicUser(user) : notFound('User', id);
  }

  @Post('users')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Registers a user with a role, a unit and a region scope; the password is kept as a credential, never in history',
  })
  async addUser(
    @Body() body: CreateUserDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    const access = {
      displayName: body.displayName,
      role: body.role,
      unitId: body.unitId ?? null,
      regionScopeId: body.regionScopeId ?? null,
    };
    return this.answer(
      res,
      this.commands.execute(
        new RegisterUserCommand(context, { username: body.username, ...access, password: body.password }),
      ),
      (id) => this.userOf(id),
    );
  }

  @Patch('users/:id')
  @Roles('admin')
  @ApiOperation({
    summary: "Changes a user's name, role, unit or region scope; a change of reach ends the user's sessions",
  })
  updateUser(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserAccessDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    const access = {
      displayName: body.displayName,
      role: body.role,
      unitId: body.unitId ?? null,
      regionScopeId: body.regionScopeId ?? null,
    };
    return this.answer(res, this.commands.execute(new ChangeUserAccessCommand(context, id, access)), (uid) =>
      this.userOf(uid),
    );
  }

  @Post('users/:id/disable')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disables an account at once: its sessions end and it cannot sign in' })
  disableUser(
    @Param('id', ParseUUIDPipe) id: string,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    return this.answer(res, this.commands.execute(new DisableUserCommand(context, id)), (uid) => this.userOf(uid));
  }

  @Post('users/:id/enable')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enables a disabled account again' })
  enableUser(
    @Param('id', ParseUUIDPipe) id: string,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    return this.answer(res, this.commands.execute(new EnableUserCommand(context, id)), (uid) => this.userOf(uid));
  }

  @Post('users/:id/password')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: "Sets a user's password (an admin's reset); the user's sessions end" })
  setPassword(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SetPasswordDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Reply,
  ) {
    return this.answer(res, this.commands.execute(new SetUserPasswordCommand(context, id, body.password)), (uid) =>
      this.userOf(uid),
    );
  }

  /** A directory command answers with the entry as it now stands and its stream's revision (also the ETag). */
  private async answer<T>(res: Reply, result: Promise<DirectoryResult>, read: (id: string) => Promise<T | null>) {
    const { id, revision } = await withETag(res, result);
    return { ...(await read(id)), id, revision };
  }

  private async unitOf(id: string) {
    const unit = await this.directory.getUnit(id);
    return unit && withoutChannels(unit);
  }

  private async categoryOf(id: string) {
    return (await this.directory.listCategories()).find((c) => c.id === id) ?? null;
  }

  private async userOf(id: string) {
    const user = await this.users.findById(id);
    return user && publicUser(user);
  }
}

function withoutChannels<U extends { channels?: unknown }>({ channels: _channels, ...unit }: U) {
  return unit;
}

function notFound(kind: string, id: string): never {
  throw new NotFoundError(kind, id);
}
