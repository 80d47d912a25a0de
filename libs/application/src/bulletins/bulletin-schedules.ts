import { BULLETIN_SCHEDULE_STREAM, BulletinSchedule, bulletinScheduleDecider, CommandMetadata } from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { decideDirectoryCommand, DirectoryDeps, DirectoryResult } from '../directory/directory-commands';
import { EventStore } from '../event-store/event-store.port';
import { newIdFor } from '../ids/command-id';
import { References } from '../references/references';

/** A weekly bulletin set up now, and when it was last set as it stands: its first run is the first one after. */
export interface BulletinScheduleSetAt {
  readonly schedule: BulletinSchedule;
  readonly setAt: Date;
}

/** The weekly bulletins set up now, in the order they were first set up. */
export async function bulletinSchedulesInForce(store: EventStore): Promise<BulletinSchedule[]> {
  return (await bulletinSchedulesSetAt(store)).map(({ schedule }) => schedule);
}

/** The weekly bulletins set up now, as `bulletinSchedulesInForce`, each with when it was last set (one read). */
export async function bulletinSchedulesSetAt(store: EventStore): Promise<BulletinScheduleSetAt[]> {
  const { state, events } = await loadStream(store, bulletinScheduleDecider, BULLETIN_SCHEDULE_STREAM);
  const setAt = new Map<string, Date>();
  for (const event of events)
    if (event.type === 'BulletinScheduleSet')
      setAt.set(event.data.scheduleId, new Date(event.metadata?.occurredAt ?? event.recordedAt));
  return Object.values(state.schedules).map((schedule) => ({ schedule, setAt: setAt.get(schedule.scheduleId)! }));
}

/** A weekly bulletin as an admin asks for it; a new one has no id yet. */
export type BulletinScheduleInput = Omit<BulletinSchedule, 'scheduleId'>;

/**
 * An admin sets up a weekly bulletin of a region and, given, one campaign (both checked as every command's
 * references are); its id is new (the same for every attempt of a command sent again). History keeps it (stream
 * `settings-bulletins`).
 */
export function addBulletinSchedule(
  deps: DirectoryDeps,
  input: BulletinScheduleInput,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  const scheduleId = newIdFor(deps.ids, metadata, 'bulletin-schedule');
  return setSchedule(deps, { ...input, scheduleId }, metadata, false);
}

/** An admin changes a weekly bulletin set up before (an unknown one answers 404). */
export function changeBulletinSchedule(
  deps: DirectoryDeps,
  schedule: BulletinSchedule,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  return setSchedule(deps, schedule, metadata, true);
}

function setSchedule(
  deps: DirectoryDeps,
  schedule: BulletinSchedule,
  metadata: CommandMetadata,
  mustExist: boolean,
): Promise<DirectoryResult> {
  return decideDirectoryCommand(
    deps,
    bulletinScheduleDecider,
    schedule.scheduleId,
    BULLETIN_SCHEDULE_STREAM,
    { type: 'SetBulletinSchedule', data: { ...schedule }, metadata },
    {
      ...(mustExist && { mustExist: (state) => schedule.scheduleId in state.schedules, kind: 'BulletinSchedule' }),
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

/** An admin stops a weekly bulletin (an unknown one answers 404); those issued stay. */
export function removeBulletinSchedule(
  deps: DirectoryDeps,
  scheduleId: string,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  return decideDirectoryCommand(
    deps,
    bulletinScheduleDecider,
    scheduleId,
    BULLETIN_SCHEDULE_STREAM,
    { type: 'RemoveBulletinSchedule', data: { scheduleId }, metadata },
    { mustExist: (state) => scheduleId in state.schedules, kind: 'BulletinSchedule' },
  );
}
