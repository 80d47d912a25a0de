import type { Pool } from 'pg';
import { ProjectionRebuildInProgressError, ProjectionRebuildLockLostError } from './projection.errors';
import { rebuildLockKeySql } from './projection-names';
import { SessionLock } from './session-lock';

/**
 * Takes the projection's rebuild lock (a session advisory lock on a connection of its own, `SessionLock`) so that
 * two rebuilds of one projection never run at once; throws `ProjectionRebuildInProgressError` when another
 * session holds it. A process that dies releases it with its session; so does a terminated connection, after
 * which the rebuild's batches and its activation commit nothing (they check the lock as they commit).
 */
export async function acquireRebuildLock(pool: Pool, projectionName: string): Promise<SessionLock> {
  const lock = await SessionLock.tryAcquire(pool, {
    name: projectionName,
    keySql: rebuildLockKeySql,
    purpose: 'rebuild',
    lostError: (cause) => new ProjectionRebuildLockLostError(projectionName, cause),
  });
  if (!lock) throw new ProjectionRebuildInProgressError(projectionName);
  return lock;
}
