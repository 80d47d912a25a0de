import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import {
  changeUnitDetails,
  changeUserAccess,
  checkPasswordPolicy,
  createRegion,
  defineCategory,
  DIRECTORY_DEPS,
  DirectoryDeps,
  DirectoryResult,
  disableUser,
  enableUser,
  PASSWORD_HASHER,
  PasswordHasher,
  registerUnit,
  registerUser,
  renameCategory,
  renameRegion,
  setUnitChannels,
  setUserPassword,
} from '@zhenggai/application';
import { CommandMetadata, NotFoundError } from '@zhenggai/domain';
import { ActiveSessions } from '../access/active-sessions';
import { ApiCommand, ApiCommandHandler } from '../commands/api-command';
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
  SetUnitChannelsCommand,
  SetUserPasswordCommand,
} from './directory.commands';

/** The shell of the directory's handlers: each calls its use case with the directory's dependencies. */
abstract class DirectoryHandler<C extends ApiCommand<DirectoryResult>> extends ApiCommandHandler<C, DirectoryResult> {
  @Inject(DIRECTORY_DEPS) protected readonly deps!: DirectoryDeps;
}

@CommandHandler(CreateRegionCommand)
export class CreateRegionHandler extends DirectoryHandler<CreateRegionCommand> {
  protected handle({ input }: CreateRegionCommand, metadata: CommandMetadata) {
    return createRegion(this.deps, input, metadata);
  }
}

@CommandHandler(RenameRegionCommand)
export class RenameRegionHandler extends DirectoryHandler<RenameRegionCommand> {
  protected handle({ context, regionId, name }: RenameRegionCommand, metadata: CommandMetadata) {
    return renameRegion(this.deps, regionId, name, metadata, context.expectedRevision);
  }
}

@CommandHandler(RegisterUnitCommand)
export class RegisterUnitHandler extends DirectoryHandler<RegisterUnitCommand> {
  protected handle({ input }: RegisterUnitCommand, metadata: CommandMetadata) {
    return registerUnit(this.deps, input, metadata);
  }
}

@CommandHandler(ChangeUnitDetailsCommand)
export class ChangeUnitDetailsHandler extends DirectoryHandler<ChangeUnitDetailsCommand> {
  protected handle({ context, unitId, input }: ChangeUnitDetailsCommand, metadata: CommandMetadata) {
    return changeUnitDetails(this.deps, unitId, input, metadata, context.expectedRevision);
  }
}

@CommandHandler(SetUnitChannelsCommand)
export class SetUnitChannelsHandler extends DirectoryHandler<SetUnitChannelsCommand> {
  protected handle({ unitId, channels, summaries }: SetUnitChannelsCommand, metadata: CommandMetadata) {
    return setUnitChannels(this.deps, unitId, channels, summaries, metadata);
  }
}

@CommandHandler(DefineCategoryCommand)
export class DefineCategoryHandler extends DirectoryHandler<DefineCategoryCommand> {
  protected handle({ input }: DefineCategoryCommand, metadata: CommandMetadata) {
    return defineCategory(this.deps, input, metadata);
  }
}

@CommandHandler(RenameCategoryCommand)
export class RenameCategoryHandler extends DirectoryHandler<RenameCategoryCommand> {
  protected handle({ context, categoryId, name }: RenameCategoryCommand, metadata: CommandMetadata) {
    return renameCategory(this.deps, categoryId, name, metadata, context.expectedRevision);
  }
}

@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler extends DirectoryHandler<RegisterUserCommand> {
  constructor(@Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher) {
    super();
  }

  protected async handle({ input }: RegisterUserCommand, metadata: CommandMetadata) {
    const { password, ...user } = input;
    const passwordHash = await this.hasher.hash(checkPasswordPolicy(password, user.username));
    return registerUser(this.deps, { ...user, passwordHash }, metadata);
  }
}

@CommandHandler(ChangeUserAccessCommand)
export class ChangeUserAccessHandler extends DirectoryHandler<ChangeUserAccessCommand> {
  constructor(private readonly sessions: ActiveSessions) {
    super();
  }

  protected async handle({ context, userId, access }: ChangeUserAccessCommand, metadata: CommandMetadata) {
    const before = await this.deps.users.findById(userId);
    const result = await changeUserAccess(this.deps, userId, access, metadata, context.expectedRevision);
    // Tokens carry the role, unit and scope: a session must not keep a reach the user no longer has.
    if (before && (before.role !== access.role || before.unitId !== access.unitId || before.regionScopeId !== access.regionScopeId)) await this.sessions.endAllOf(userId);
    return result;
  }
}

@CommandHandler(DisableUserCommand)
export class DisableUserHandler extends DirectoryHandler<DisableUserCommand> {
  constructor(private readonly sessions: ActiveSessions) {
    super();
  }

  protected async handle({ userId }: DisableUserCommand, metadata: CommandMetadata) {
    const result = await disableUser(this.deps, userId, metadata);
    await this.sessions.endAllOf(userId);
    return result;
  }
}

@CommandHandler(EnableUserCommand)
export class EnableUserHandler extends DirectoryHandler<EnableUserCommand> {
  protected handle({ userId }: EnableUserCommand, metadata: CommandMetadata) {
    return enableUser(this.deps, userId, metadata);
  }
}

@CommandHandler(SetUserPasswordCommand)
export class SetUserPasswordHandler extends DirectoryHandler<SetUserPasswordCommand> {
  constructor(
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    private readonly sessions: ActiveSessions,
  ) {
    super();
  }

  protected async handle({ userId, password }: SetUserPasswordCommand, metadata: CommandMetadata) {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new NotFoundError('User', userId);
    const passwordHash = await this.hasher.hash(checkPasswordPolicy(password, user.username));
    const result = await setUserPassword(this.deps, userId, passwordHash, metadata);
    await this.sessions.endAllOf(userId);
    return result;
  }
}

export const directoryHandlers = [
  CreateRegionHandler,
  RenameRegionHandler,
  RegisterUnitHandler,
  ChangeUnitDetailsHandler,
  SetUnitChannelsHandler,
  DefineCategoryHandler,
  RenameCategoryHandler,
  RegisterUserHandler,
  ChangeUserAccessHandler,
  DisableUserHandler,
  EnableUserHandler,
  SetUserPasswordHandler,
];
