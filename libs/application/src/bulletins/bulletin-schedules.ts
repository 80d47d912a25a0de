import {
  BULLETIN_SCHEDULE_STREAM,
  BulletinSchedule,
  bulletinScheduleDecider,
  campaignDecider,
  campaignStreamName,
  CommandMetadata,
  ValidationError,
} from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { decideDirectoryCommand, DirectoryDeps, DirectoryResult } from '../directory/directory-commands';
import { EventStore } from '../event-store/event-store.port';

/** The weekly bulletins set up now, in the order they were first set up. */
export async function bulletinSchedulesInForce(store: EventStore): Promise<BulletinSchedule[]> {
  const { state } = await loadStream(store, bulletinScheduleDecider, BULLETIN_SCHEDULE_STREAM);
  return Object.values(state.schedules);
}

/**
 * An admin sets up (or changes) a weekly bulletin of a region and, given, one campaign; both must exist. History
 * keeps each setting (stream `settings-bulletins`).
 */
export function setBulletinSchedule(
  deps: DirectoryDeps,
  schedule: BulletinSchedule,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  return decideDirectoryCommand(
    deps,
    bulletinScheduleDecider,
    schedule.scheduleId,
    BULLETIN_SCHEDULE_STREAM,
    { type: 'SetBulletinSchedule', data: { ...schedule }, metadata },
    {
      precondition: async () => {
        if (typeof schedule.regionId === 'string' && !(await deps.directory.getRegion(schedule.regionId)))
          throw new ValidationError('regionId', `region ${schedule.regionId} does not exist`, 'UNKNOWN_REGION');
        if (typeof schedule.campaignId === 'string') {
          const { state } = await loadStream(deps.store, campaignDecider, campaignStreamName(schedule.campaignId));
          if (state.status === 'none')
            throw new ValidationError(
              'campaignId',
              `campaign ${schedule.campaignId} does not exist`,
              'UNKNOWN_CAMPAIGN',
            );
        }
      },
    },
  );
}

/** An admin stops a weekly bulletin; those issued stay. */
export function removeBulletinSchedule(
  deps: DirectoryDeps,
  scheduleId: string,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  return decideDirectoryCommand(deps, bulletinScheduleDecider, scheduleId, BULLETIN_SCHEDULE_STREAM, {
    type: 'RemoveBulletinSchedule',
    data: { scheduleId },
    metadata,
  });
}
