import type { Pool } from 'pg';
import { EVENTS_APPENDED_CHANNEL } from '../event-store/event-notifications';
import { ProjectionLeaseLostError } from './projection.errors';
import { leaseKeySql } from './projection-names';
import { SessionLock } from './session-lock';

/**
 * The right to run a projection: a session advisory lock (`SessionLock`) held on a connection of its own for as
 * long as the runner is active. PostgreSQL releases it when that session ends, so a process that stops, crashes
 * or is killed gives it up, and so does one whose connection is terminated: its runner notices (the connection's
 * error, or its next batch, which commits only while the server still counts the lease as held) and stands by.
 *
 * The otherwise idle connection also LISTENs for appends (`events_appended`), to wake the runner at once.
 */
export class ProjectionLease {
  private constructor(private readonly lock: SessionLock) {}

  /**
   * Takes the lease if no other session holds it, and returns `null` otherwise. `onWake` is called when
   * events may have been appended and when the lease is lost.
   */
  static async tryAcquire(pool: Pool, projectionName: string, onWake: () => void): Promise<ProjectionLease | null> {
    const lock = await SessionLock.tryAcquire(pool, {
      name: projectionName,
      keySql: leaseKeySql,
      purpose: 'projection',
      lostError: (cause) => new ProjectionLeaseLostError(projectionName, cause),
      onLost: onWake,
      keepAlive: true,
    });
    if (!lock) return null;
    try {
      lock.client.on('notification', onWake);
      await lock.client.query(`LISTEN ${EVENTS_APPENDED_CHANNEL}`);
      return new ProjectionLease(lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** What a batch commits under: it rolls back when the server no longer counts the lease as this runner's. */
  get fence(): SessionLock {
    return this.lock;
  }

  /** Throws `ProjectionLeaseLostError` when the lease's connection has failed. */
  assertHeld(): void {
    this.lock.assertHeld();
  }

  /** Gives the lease up (ends its session). Idempotent. */
  async release(): Promise<void> {
    await this.lock.release();
  }
}
