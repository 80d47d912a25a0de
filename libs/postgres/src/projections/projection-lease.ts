import { Client, type Pool } from 'pg';
import { EVENTS_APPENDED_CHANNEL } from '../event-store/event-notifications';
import { ProjectionLeaseLostError } from './projection.errors';
import { leaseKeySql } from './projection-names';

/**
 * The right to run a projection: a session-level advisory lock (`pg_try_advisory_lock`) held on a
 * connection of its own for as long as the runner is active. PostgreSQL releases it when that session ends,
 * so a process that stops, crashes or is killed gives it up (a killed process's connection is closed by its
 * kernel; a network cut only when TCP notices, which the fence on the checkpoint makes harmless).
 *
 * The otherwise idle connection also LISTENs for appends (`events_appended`), to wake the runner at once.
 */
export class ProjectionLease {
  private lostWith: ProjectionLeaseLostError | undefined;
  private released = false;

  private constructor(
    private readonly client: Client,
    readonly projectionName: string,
  ) {}

  /**
   * Takes the lease if no other session holds it, and returns `null` otherwise. `onWake` is called when
   * events may have been appended and when the lease is lost.
   */
  static async tryAcquire(pool: Pool, projectionName: string, onWake: () => void): Promise<ProjectionLease | null> {
    const client = new Client({
      ...pool.options,
      application_name: `${pool.options.application_name ?? 'zhenggai'}:projection:${projectionName}`,
      keepAlive: true,
    });
    let lease: ProjectionLease | undefined;
    // Before the lease is taken, failures surface through the awaited calls below; after its release, its
    // connection's end is no news.
    const lost = (error?: unknown) => {
      if (!lease || lease.released) return;
      lease.lost(error);
      onWake();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      const { rows } = await client.query<{ acquired: boolean }>(
        `SELECT pg_try_advisory_lock(${leaseKeySql('$1')}) AS acquired`,
        [projectionName],
      );
      if (!rows[0]?.acquired) {
        await client.end().catch(() => undefined);
        return null;
      }
      lease = new ProjectionLease(client, projectionName);
      client.on('notification', onWake);
      await client.query(`LISTEN ${EVENTS_APPENDED_CHANNEL}`);
      return lease;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Throws `ProjectionLeaseLostError` when the lease's connection has failed. */
  assertHeld(): void {
    if (this.lostWith) throw this.lostWith;
  }

  /** Gives the lease up (ends its session). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.client.end().catch(() => undefined);
  }

  private lost(error?: unknown): void {
    this.lostWith ??= new ProjectionLeaseLostError(this.projectionName, error);
  }
}
