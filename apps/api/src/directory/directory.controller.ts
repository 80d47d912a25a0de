import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  changeUnitDetails,
  changeUserAccess,
  CLOCK,
  Clock,
  checkPasswordPolicy,
  createRegion,
  defineCategory,
  DIRECTORY,
  Directory,
  DirectoryDeps,
  DIRECTORY_DEPS,
  disableUser,
  enableUser,
  PASSWORD_HASHER,
  PasswordHasher,
  registerUnit,
  registerUser,
  renameCategory,
  renameRegion,
  setUserPassword,
  USER_REPOSITORY,
  UserRepository,
} from '@zhenggai/application';
import { Actor, NotFoundError } from '@zhenggai/domain';
import { CurrentActor } from '../access/current-actor.decorator';
import { ActiveSessions } from '../access/active-sessions';
import { publicUser } from '../auth';
import { Roles } from '../access/roles.decorator';
import { CommandContext, CommandCtx, commandMetadata, withETag } from '../commands/command-context';
import { CreateCategoryDto, CreateRegionDto, CreateUnitDto, CreateUserDto, RenameDto, SetPasswordDto, UpdateUnitDto, UpdateUserAccessDto } from './directory.dto';
import { DirectoryView } from '../access/directory-view';

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
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(DIRECTORY_DEPS) private readonly deps: DirectoryDeps,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly view: DirectoryView,
    private readonly sessions: ActiveSessions,
  ) {}

  @Get('regions')
  @ApiOperation({ summary: 'The region tree 市 › 县 › 乡镇 › 村 within reach, as a flat list with parent ids and paths' })
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
  async addRegion(@Body() body: CreateRegionDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const input = { code: body.code, name: body.name, level: body.level, parentId: body.parentId ?? null };
    return this.answer(res, createRegion(this.deps, input, this.metadata(context)), (id) => this.directory.getRegion(id));
  }

  @Patch('regions/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Renames a region (its code and place in the tree never change)' })
  renameRegion(@Param('id', ParseUUIDPipe) id: string, @Body() body: RenameDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    return this.answer(res, renameRegion(this.deps, id, body.name, this.metadata(context), context.expectedRevision), (rid) => this.directory.getRegion(rid));
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
  async addUnit(@Body() body: CreateUnitDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const input = { name: body.name, regionId: body.regionId, headName: body.headName ?? null, contact: body.contact ?? null };
    return this.answer(res, registerUnit(this.deps, input, this.metadata(context)), (id) => this.unitOf(id));
  }

  @Patch('units/:id')
  @Roles('admin')
  @ApiOperation({ summary: "Changes a unit's name, head or contact" })
  updateUnit(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateUnitDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const input = { name: body.name, headName: body.headName ?? null, contact: body.contact ?? null };
    return this.answer(res, changeUnitDetails(this.deps, id, input, this.metadata(context), context.expectedRevision), (uid) => this.unitOf(uid));
  }

  @Get('categories')
  @ApiOperation({ summary: 'The categories findings and campaigns name by code' })
  categories() {
    return this.directory.listCategories();
  }

  @Post('categories')
  @Roles('admin')
  async addCategory(@Body() body: CreateCategoryDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    return this.answer(res, defineCategory(this.deps, { code: body.code, name: body.name }, this.metadata(context)), (id) => this.categoryOf(id));
  }

  @Patch('categories/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Renames a category (its code never changes)' })
  renameCategory(@Param('id', ParseUUIDPipe) id: string, @Body() body: RenameDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    return this.answer(res, renameCategory(this.deps, id, body.name, this.metadata(context), context.expectedRevision), (cid) => this.categoryOf(cid));
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
  @ApiOperation({ summary: 'Registers a user with a role, a unit and a region scope; the password is kept as a credential, never in history' })
  async addUser(@Body() body: CreateUserDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const access = { displayName: body.displayName, role: body.role, unitId: body.unitId ?? null, regionScopeId: body.regionScopeId ?? null };
    const passwordHash = await this.hasher.hash(checkPasswordPolicy(body.password, body.username));
    return this.answer(res, registerUser(this.deps, { username: body.username, ...access, passwordHash }, this.metadata(context)), (id) => this.userOf(id));
  }

  @Patch('users/:id')
  @Roles('admin')
  @ApiOperation({ summary: "Changes a user's name, role, unit or region scope; a change of reach ends the user's sessions" })
  async updateUser(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateUserAccessDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const before = await this.users.findById(id);
    const access = { displayName: body.displayName, role: body.role, unitId: body.unitId ?? null, regionScopeId: body.regionScopeId ?? null };
    const answer = await this.answer(res, changeUserAccess(this.deps, id, access, this.metadata(context), context.expectedRevision), (uid) => this.userOf(uid));
    // Tokens carry the role, unit and scope: a session must not keep a reach the user no longer has.
    if (before && (before.role !== access.role || before.unitId !== access.unitId || before.regionScopeId !== access.regionScopeId)) await this.sessions.endAllOf(id);
    return answer;
  }

  @Post('users/:id/disable')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disables an account at once: its sessions end and it cannot sign in' })
  async disableUser(@Param('id', ParseUUIDPipe) id: string, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const answer = await this.answer(res, disableUser(this.deps, id, this.metadata(context)), (uid) => this.userOf(uid));
    await this.sessions.endAllOf(id);
    return answer;
  }

  @Post('users/:id/enable')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enables a disabled account again' })
  enableUser(@Param('id', ParseUUIDPipe) id: string, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    return this.answer(res, enableUser(this.deps, id, this.metadata(context)), (uid) => this.userOf(uid));
  }

  @Post('users/:id/password')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: "Sets a user's password (an admin's reset); the user's sessions end" })
  async setPassword(@Param('id', ParseUUIDPipe) id: string, @Body() body: SetPasswordDto, @CommandCtx() context: CommandContext, @Res({ passthrough: true }) res: Reply) {
    const user = await this.users.findById(id);
    if (!user) notFound('User', id);
    const passwordHash = await this.hasher.hash(checkPasswordPolicy(body.password, user!.username));
    const answer = await this.answer(res, setUserPassword(this.deps, id, passwordHash, this.metadata(context)), (uid) => this.userOf(uid));
    await this.sessions.endAllOf(id);
    return answer;
  }

  private metadata(context: CommandContext) {
    return commandMetadata(context, this.clock);
  }

  /** A directory command answers with the entry as it now stands and its stream's revision (also the ETag). */
  private async answer<T>(res: Reply, result: Promise<{ id: string; revision: number }>, read: (id: string) => Promise<T | null>) {
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
