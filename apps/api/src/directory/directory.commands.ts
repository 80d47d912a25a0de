import { CreateRegionInput, DirectoryResult, UnitChannel, UnitInput } from '@zhenggai/application';
import { UnitChannelSummary, UserAccess } from '@zhenggai/domain';
import { ApiCommand } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';

/** A command on the directory (regions, units, categories, users): it answers with the entry's id and revision. */
abstract class DirectoryCommand extends ApiCommand<DirectoryResult> {}

export class CreateRegionCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly input: CreateRegionInput,
  ) {
    super(context);
  }
}

export class RenameRegionCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly regionId: string,
    readonly name: string,
  ) {
    super(context);
  }
}

export class RegisterUnitCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly input: UnitInput & { readonly regionId: string },
  ) {
    super(context);
  }
}

export class ChangeUnitDetailsCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly unitId: string,
    readonly input: UnitInput,
  ) {
    super(context);
  }
}

/** Replaces a unit's delivery channels; `summaries` are what history records of them (addresses masked). */
export class SetUnitChannelsCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly unitId: string,
    readonly channels: readonly UnitChannel[],
    readonly summaries: readonly UnitChannelSummary[],
  ) {
    super(context);
  }
}

export class DefineCategoryCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly input: { readonly code: string; readonly name: string },
  ) {
    super(context);
  }
}

export class RenameCategoryCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly categoryId: string,
    readonly name: string,
  ) {
    super(context);
  }
}

/** Sets when the daily digest (每日督办简报) goes out, HH:MM in Asia/Shanghai. */
export class SetDigestTimeCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly time: string,
  ) {
    super(context);
  }
}

/** Registers a user; the password is checked against the policy and kept as a credential, never in history. */
export class RegisterUserCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly input: UserAccess & { readonly username: string; readonly password: string },
  ) {
    super(context);
  }
}

/** Changes a user's name, role, unit or region scope; a change of reach ends the user's sessions. */
export class ChangeUserAccessCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly userId: string,
    readonly access: UserAccess,
  ) {
    super(context);
  }
}

/** Disables an account: its sessions end at once. */
export class DisableUserCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly userId: string,
  ) {
    super(context);
  }
}

export class EnableUserCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly userId: string,
  ) {
    super(context);
  }
}

/** An admin sets a user's password (a reset): the user's sessions end. */
export class SetUserPasswordCommand extends DirectoryCommand {
  constructor(
    context: CommandContext,
    readonly userId: string,
    readonly password: string,
  ) {
    super(context);
  }
}
