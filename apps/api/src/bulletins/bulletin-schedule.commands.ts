import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import {
  DIRECTORY_DEPS,
  DirectoryDeps,
  DirectoryResult,
  removeBulletinSchedule,
  setBulletinSchedule,
} from '@zhenggai/application';
import { BulletinSchedule, CommandMetadata } from '@zhenggai/domain';
import { ApiCommand, ApiCommandHandler } from '../commands/api-command';
import { CommandContext } from '../commands/command-context';

/** An admin sets up or changes a weekly bulletin (每周情况通报). */
export class SetBulletinScheduleCommand extends ApiCommand<DirectoryResult> {
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

@CommandHandler(SetBulletinScheduleCommand)
export class SetBulletinScheduleHandler extends ApiCommandHandler<SetBulletinScheduleCommand, DirectoryResult> {
  constructor(@Inject(DIRECTORY_DEPS) private readonly deps: DirectoryDeps) {
    super();
  }

  protected handle({ schedule }: SetBulletinScheduleCommand, metadata: CommandMetadata) {
    return setBulletinSchedule(this.deps, schedule, metadata);
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
