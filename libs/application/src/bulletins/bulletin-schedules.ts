import { BULLETIN_SCHEDULE_STREAM, BulletinSchedule, bulletinScheduleDecider, CommandMetadata } from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { decideDirectoryCommand, DirectoryDeps, DirectoryResult } from '../directory/directory-commands';
import { EventStore } from '../event-store/event-store.port';
import { References } from '../references/references';

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
        // The shared reference checks, as every command's: the admin reaches every region and campaign.
        const references = new References(deps);
        if (typeof schedule.regionId === 'string')
          await references.region(metadata.actor, schedule.regionId, 'regionId');
        if (typeof schedule.campaignId === 'string')
          await references.campaign(metadata.actor, schedule.campaignId, 'campaignId');
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
