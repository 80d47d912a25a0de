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
  setDigestTime,
  setUnitChannels,
  setUserPassword,
} from '@zhenggai/application';
import { CommandMetadata, NotFoundError } from '@zhenggai/domain';
import { ActiveSessions } from '../access/active-sessions';
import { CONFIGURED_DIGEST_TIME } from '../infrastructure/tokens';
import { ApiCommand, ApiCommandHandler } from '../commands/api-command';
import * as Directory from './directory.commands';

/** The shell of the directory's handlers: each calls its use case with the directory's dependencies. */
abstract class DirectoryHandler<C extends ApiCommand<DirectoryResult>> extends ApiCommandHandler<C, DirectoryResult> {
  @Inject(DIRECTORY_DEPS) protected readonly deps!: DirectoryDeps;
}

@CommandHandler(Directory.CreateRegionCommand)
export class CreateRegionHandler extends DirectoryHandler<Directory.CreateRegionCommand> {
  protected handle({ input }: Directory.CreateRegionCommand, metadata: CommandMetadata) {
    return createRegion(this.deps, input, metadata);
  }
}

@CommandHandler(Directory.RenameRegionCommand)
export class RenameRegionHandler extends DirectoryHandler<Directory.RenameRegionCommand> {
  protected handle({ context, regionId, name }: Directory.RenameRegionCommand, metadata: CommandMetadata) {
    return renameRegion(this.deps, regionId, name, metadata, context.expectedRevision);
  }
}

@CommandHandler(Directory.RegisterUnitCommand)
export class RegisterUnitHandler extends DirectoryHandler<Directory.RegisterUnitCommand> {
  protected handle({ input }: Directory.RegisterUnitCommand, metadata: CommandMetadata) {
    return registerUnit(this.deps, input, metadata);
  }
}

@CommandHandler(Directory.ChangeUnitDetailsCommand)
export class ChangeUnitDetailsHandler extends DirectoryHandler<Directory.ChangeUnitDetailsCommand> {
  protected handle({ context, unitId, input }: Directory.ChangeUnitDetailsCommand, metadata: CommandMetadata) {
    return changeUnitDetails(this.deps, unitId, input, metadata, context.expectedRevision);
  }
}

@CommandHandler(Directory.SetUnitChannelsCommand)
export class SetUnitChannelsHandler extends DirectoryHandler<Directory.SetUnitChannelsCommand> {
  protected handle({ unitId, channels, summaries }: Directory.SetUnitChannelsCommand, metadata: CommandMetadata) {
    return setUnitChannels(this.deps, unitId, channels, summaries, metadata);
  }
}

@CommandHandler(Directory.DefineCategoryCommand)
export class DefineCategoryHandler extends DirectoryHandler<Directory.DefineCategoryCommand> {
  protected handle({ input }: Directory.DefineCategoryCommand, metadata: CommandMetadata) {
    return defineCategory(this.deps, input, metadata);
  }
}

@CommandHandler(Directory.RenameCategoryCommand)
export class RenameCategoryHandler extends DirectoryHandler<Directory.RenameCategoryCommand> {
  protected handle({ context, categoryId, name }: Directory.RenameCategoryCommand, metadata: CommandMetadata) {
    return renameCategory(this.deps, categoryId, name, metadata, context.expectedRevision);
  }
}

@CommandHandler(Directory.SetDigestTimeCommand)
export class SetDigestTimeHandler extends DirectoryHandler<Directory.SetDigestTimeCommand> {
  constructor(@Inject(CONFIGURED_DIGEST_TIME) private readonly configuredTime: string) {
    super();
  }

  protected handle({ time }: Directory.SetDigestTimeCommand, metadata: CommandMetadata) {
    return setDigestTime(this.deps, time, this.configuredTime, metadata);
  }
}

@CommandHandler(Directory.RegisterUserCommand)
export class RegisterUserHandler extends DirectoryHandler<Directory.RegisterUserCommand> {
  constructor(@Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher) {
    super();
  }

  protected async handle({ input }: Directory.RegisterUserCommand, metadata: CommandMetadata) {
    const { password, ...user } = input;
    const passwordHash = await this.hasher.hash(checkPasswordPolicy(password, user.username));
    return registerUser(this.deps, { ...user, passwordHash }, metadata);
  }
}

@CommandHandler(Directory.ChangeUserAccessCommand)
export class ChangeUserAccessHandler extends DirectoryHandler<Directory.ChangeUserAccessCommand> {
  constructor(private readonly sessions: ActiveSessions) {
    super();
  }

  protected async handle({ context, userId, access }: Directory.ChangeUserAccessCommand, metadata: CommandMetadata) {
    const before = await this.deps.users.findById(userId);
    const result = await changeUserAccess(this.deps, userId, access, metadata, context.expectedRevision);
    // Tokens carry the role, unit and scope: a session must not keep a reach the user no longer has.
    if (
      before &&
      (before.role !== access.role || before.unitId !== access.unitId || before.regionScopeId !== access.regionScopeId)
    )
      await this.sessions.endAllOf(userId);
    return result;
  }
}

@CommandHandler(Directory.DisableUserCommand)
export class DisableUserHandler extends DirectoryHandler<Directory.DisableUserCommand> {
  constructor(private readonly sessions: ActiveSessions) {
    super();
  }

  protected async handle({ userId }: Directory.DisableUserCommand, metadata: CommandMetadata) {
    const result = await disableUser(this.deps, userId, metadata);
    await this.sessions.endAllOf(userId);
    return result;
  }
}

@CommandHandler(Directory.EnableUserCommand)
export class EnableUserHandler extends DirectoryHandler<Directory.EnableUserCommand> {
  protected handle({ userId }: Directory.EnableUserCommand, metadata: CommandMetadata) {
    return enableUser(this.deps, userId, metadata);
  }
}

@CommandHandler(Directory.SetUserPasswordCommand)
export class SetUserPasswordHandler extends DirectoryHandler<Directory.SetUserPasswordCommand> {
  constructor(
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    private readonly sessions: ActiveSessions,
  ) {
    super();
  }

  protected async handle({ userId, password }: Directory.SetUserPasswordCommand, metadata: CommandMetadata) {
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
  SetDigestTimeHandler,
  RegisterUserHandler,
  ChangeUserAccessHandler,
  DisableUserHandler,
  EnableUserHandler,
  SetUserPasswordHandler,
];
