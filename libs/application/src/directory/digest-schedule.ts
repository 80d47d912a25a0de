import { CommandMetadata, DIGEST_SCHEDULE_STREAM, digestScheduleDecider } from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { EventStore } from '../event-store/event-store.port';
import { decideDirectoryCommand, DirectoryDeps, DirectoryResult } from './directory-commands';

/** When the daily digest goes out (HH:MM, Asia/Shanghai), and whether an admin set it or configuration did. */
export interface DigestTimeInForce {
  readonly time: string;
  readonly source: 'setting' | 'configuration';
}

/** The time an admin last set (the last `DigestTimeSet`), else the configured one (`DIGEST_TIME`). */
export async function digestTimeInForce(store: EventStore, configuredTime: string): Promise<DigestTimeInForce> {
  const { state } = await loadStream(store, digestScheduleDecider, DIGEST_SCHEDULE_STREAM);
  return state.time ? { time: state.time, source: 'setting' } : { time: configuredTime, source: 'configuration' };
}

/** An admin sets the digest's time; history records it with the time it replaces. */
export function setDigestTime(
  deps: DirectoryDeps,
  time: string,
  configuredTime: string,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  return decideDirectoryCommand(deps, digestScheduleDecider, DIGEST_SCHEDULE_STREAM, DIGEST_SCHEDULE_STREAM, {
    type: 'SetDigestTime',
    data: { time, configuredTime },
    metadata,
  });
}
