import { EventStore, Projection } from '@zhenggai/application';
import { projectionWriteSql } from '@zhenggai/postgres';
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
): Promise<void> {
  await everyEventReadable(store);
  const sql = projectionWriteSql(pool);
  await sql.query('CREATE SCHEMA IF NOT EXISTS read_models');
  for (const projection of projections) {
    const schema = `proj_${projection.name}_${suffix}`;
    await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
    await projection.setup(sql, schema);
    for (let after = 0n; ;) {
      const events = await store.readAll({
        after,
        maxCount: batchSize,
        eventTypePrefixes: projection.eventTypePrefixes,
      });
      if (events.length === 0) break;
      await projection.apply(sql, schema, events);
      after = events[events.length - 1].position;
    }
    for (const view of projection.views(schema))
      await sql.query(`CREATE OR REPLACE VIEW read_models.${view.name} AS ${view.select}`);
  }
}
