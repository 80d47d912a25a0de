import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import {
  DIRECTORY_DEPS,
  DirectoryDeps,
  DirectoryResult,
  addBulletinSchedule,
  BulletinScheduleInput,
  changeBulletinSchedule,
  removeBulletinSchedule,
} from '@zhenggai/application';
import { BulletinSchedule, CommandMetadata } from '@zhenggai/domain';
import { ApiCommand, ApiCommandHandler } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';

/** An admin sets up a weekly bulletin (每周情况通报). */
export class AddBulletinScheduleCommand extends ApiCommand<DirectoryResult> {
  constructor(
    context: CommandContext,
    readonly input: BulletinScheduleInput,
  ) {
    super(context);
  }
}

/** An admin changes a weekly bulletin. */
export class ChangeBulletinScheduleCommand extends ApiCommand<DirectoryResult> {
  constructor(
    context: CommandContext,
    readonly schedule: BulletinSchedule,
  ) {
    super(context);
  }
}

/** An admin stops a weekly bulletin. */
export class RemoveBulletinScheduleCommand extends ApiCommand<DirectoryResult> {
  constructor(
    context: CommandContext,
    readonly scheduleId: string,
  ) {
    super(context);
  }
}

@CommandHandler(AddBulletinScheduleCommand)
export class AddBulletinScheduleHandler extends ApiCommandHandler<AddBulletinScheduleCommand, DirectoryResult> {
  constructor(@Inject(DIRECTORY_DEPS) private readonly deps: DirectoryDeps) {
    super();
  }

  protected handle({ input }: AddBulletinScheduleCommand, metadata: CommandMetadata) {
    return addBulletinSchedule(this.deps, input, metadata);
  }
}

@CommandHandler(ChangeBulletinScheduleCommand)
export class ChangeBulletinScheduleHandler extends ApiCommandHandler<ChangeBulletinScheduleCommand, DirectoryResult> {
  constructor(@Inject(DIRECTORY_DEPS) private readonly deps: DirectoryDeps) {
    super();
  }

  protected handle({ schedule }: ChangeBulletinScheduleCommand, metadata: CommandMetadata) {
    return changeBulletinSchedule(this.deps, schedule, metadata);
  }
}

@CommandHandler(RemoveBulletinScheduleCommand)
export class RemoveBulletinScheduleHandler extends ApiCommandHandler<RemoveBulletinScheduleCommand, DirectoryResult> {
  constructor(@Inject(DIRECTORY_DEPS) private readonly deps: DirectoryDeps) {
    super();
  }

  protected handle({ scheduleId }: RemoveBulletinScheduleCommand, metadata: CommandMetadata) {
    return removeBulletinSchedule(this.deps, scheduleId, metadata);
  }
}
