import { Client, type Pool } from 'pg';
import { ProjectionRebuildInProgressError } from './projection.errors';
import { rebuildLockKeySql } from './projection-names';

/**
 * Takes the projection's rebuild lock (a session advisory lock on a connection of its own) so that two
 * rebuilds of one projection never run at once; throws `ProjectionRebuildInProgressError` when another
 * session holds it. Returns the function that releases it. A process that dies releases it with its session.
 */
export async function acquireRebuildLock(pool: Pool, projectionName: string): Promise<() => Promise<void>> {
  const client = new Client({
    ...pool.options,
    application_name: `${pool.options.application_name ?? 'zhenggai'}:rebuild:${projectionName}`,
  });
  // A dropped connection surfaces as the failure of the rebuild's next statement; it must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ acquired: boolean }>(
      `SELECT pg_try_advisory_lock(${rebuildLockKeySql('$1')}) AS acquired`,
      [projectionName],
    );
    if (!rows[0]?.acquired) throw new ProjectionRebuildInProgressError(projectionName);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return () => client.end().catch(() => undefined);
}
