import { EventStore, leavingOut, PreparedProjectionBatch, Projection } from '@zhenggai/application';
import { createReadIndexes, projectionWriteSql } from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { everyEventReadable } from '../../../../test/support/every-event-readable';

/**
 * Build projections from the whole store into fresh schemas and point the `read_models` views at them, in one
 * go: the plainest possible runner, for tests of the projections and their queries. It projects every event
 * committed when it is called, waiting for those the store still holds back (see `everyEventReadable`).
 */
export async function projectAll(
  pool: Pool,
  store: EventStore,
  projections: readonly Projection[],
  suffix = 'test',
  /** Events per batch: the runner's batches are as large as what has arrived since the last. */
  batchSize = 500,
  /**
   * Each batch worked out (`prepare`) before the one before it is written, carrying what that one left: what a runner
   * catching up in a pipeline does, at its worst (none of the batch before is visible yet).
   */
  ahead = false,
): Promise<void> {
  await everyEventReadable(store);
  const sql = projectionWriteSql(pool);
  await sql.query('CREATE SCHEMA IF NOT EXISTS read_models');
  for (const projection of projections) {
    const schema = `proj_${projection.name}_${suffix}`;
    await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
    await projection.setup(sql, schema);
    let pending: PreparedProjectionBatch | undefined;
    for (let after = 0n; ;) {
      // The keys the projection leaves out, left out as the PostgreSQL store leaves them out for a runner catching up:
      // a projection that reads one anyway fails its tests.
      const events = (
        await store.readAll({ after, maxCount: batchSize, eventTypePrefixes: projection.eventTypePrefixes })
      ).map((event) => leavingOut(event, projection.leaveOutKeys));
      if (events.length === 0) break;
      if (ahead && projection.prepare) {
        const prepared = await projection.prepare(sql, schema, events, pending?.carry);
        await pending?.write(sql);
        pending = prepared;
      } else await projection.apply(sql, schema, events);
      after = events[events.length - 1].position;
    }
    await pending?.write(sql);
    // As a runner does once caught up.
    await createReadIndexes(pool, projection, schema);
    for (const view of projection.views(schema))
      await sql.query(`CREATE OR REPLACE VIEW read_models.${view.name} AS ${view.select}`);
  }
}
