import type {
  GlobalPosition,
  PreparedProjectionBatch,
  Projection,
  ProjectionCarry,
  ProjectionEventSource,
  StoredEvent,
} from '@zhenggai/application';
import { eventUpcasters, type UpcasterRegistry } from '@zhenggai/domain';
import type { Pool, PoolClient } from 'pg';
import { ProjectionFencedError } from './projection.errors';
import { createReadIndexes } from './projection-generations';
import { generationSchema } from './projection-names';
import { projectionWriteSql } from './projection-write-sql';
import type { SessionLock } from './session-lock';

/** The events a runner or a rebuild reads, applies and commits at once unless told otherwise (`batchSize`). */
export const PROJECTION_BATCH_SIZE = 2000;

/** The next events for a projection, and the checkpoint they move it to. */
export interface ProjectionBatch {
  /** The checkpoint the batch starts after. */
  readonly from: GlobalPosition;
  /**
   * The checkpoint after the batch: the last event's position when the page was full, otherwise the store's
   * high-water mark, so that events the projection does not take still move its checkpoint.
   */
  readonly to: GlobalPosition;
  /** The events the projection takes, in position order (possibly none), each in its newest shape. */
  readonly events: readonly StoredEvent[];
  /** The page was full: more events may follow at once. */
  readonly full: boolean;
  /** The highest position readers could see when the page was read. */
  readonly head: GlobalPosition;
}

/**
 * Reads the batch after `from`; `to === from` means there is nothing new. The events are upcast
 * (`eventUpcasters`, or the registry given): a projection only ever sees the newest shape of each type.
 */
export async function readBatch(
  source: ProjectionEventSource,
  projection: Projection,
  from: GlobalPosition,
  batchSize: number,
  upcasters: UpcasterRegistry = eventUpcasters,
): Promise<ProjectionBatch> {
  const page = await source.readPage({
    after: from,
    limit: batchSize,
    eventTypePrefixes: projection.eventTypePrefixes,
    leaveOutKeys: projection.leaveOutKeys,
  });
  const full = page.events.length === batchSize;
  const reached = full ? page.events[page.events.length - 1]!.position : page.highWater;
  return {
    from,
    to: reached > from ? reached : from,
    events: upcasters.upcastAll(page.events),
    full,
    head: page.highWater,
  };
}

/**
 * Inside the caller's transaction: checks that the generation's checkpoint is still `batch.from` (locking
 * its row, so that any other writer of this generation waits for this transaction and then finds the
 * checkpoint moved), applies the events and moves the checkpoint to `batch.to`. Throws
 * `ProjectionFencedError`, before applying anything, when another writer moved the checkpoint.
 *
 * With `heldLock` (the runner's lease, a rebuild's lock), the checkpoint moves only if the server still counts
 * that lock as held, and the lock's lost error is thrown otherwise: a writer whose lock's connection died while
 * it applied rolls back rather than commit beside the lock's next holder.
 *
 * With `readIndexes` (the batch that catches the generation up), the generation's read indexes it lacks are created
 * after the events are applied and before the checkpoint moves: a checkpoint at the head means they are there.
 */
export async function applyBatch(
  client: PoolClient,
  projection: Projection,
  generation: number,
  batch: ProjectionBatch,
  heldLock?: SessionLock,
  prepared?: PreparedProjectionBatch,
  readIndexes = false,
): Promise<void> {
  const { rows } = await client.query<{ position: string }>(
    'SELECT position FROM projection_checkpoints WHERE name = $1 AND generation = $2 FOR UPDATE',
    [projection.name, generation],
  );
  const found = rows[0] ? BigInt(rows[0].position) : null;
  if (found !== batch.from) throw new ProjectionFencedError(projection.name, generation, batch.from, found);
  if (prepared) await prepared.write(projectionWriteSql(client));
  else if (batch.events.length > 0) {
    await projection.apply(projectionWriteSql(client), generationSchema(projection.name, generation), batch.events);
  }
  if (readIndexes) await createReadIndexes(client, projection, generationSchema(projection.name, generation));
  const moved = await client.query(
    `UPDATE projection_checkpoints SET position = $3, updated_at = now() WHERE name = $1 AND generation = $2
     ${heldLock ? `AND ${heldLock.stillHeldSql('$1', '$4')}` : ''}`,
    [projection.name, generation, batch.to.toString(), ...(heldLock ? [heldLock.pid] : [])],
  );
  if (moved.rowCount === 0 && heldLock) throw heldLock.lostError();
}

/**
 * A batch worked out ahead of its transaction by the projection's `prepare` (reading committed rows through `pool`,
 * and `carried` from the batch before, which is being written meanwhile), or undefined for a projection without one.
 */
export async function prepareBatch(
  pool: Pool,
  projection: Projection,
  generation: number,
  batch: ProjectionBatch,
  carried: ProjectionCarry,
): Promise<PreparedProjectionBatch | undefined> {
  if (!projection.prepare) return undefined;
  const schema = generationSchema(projection.name, generation);
  return projection.prepare(projectionWriteSql(pool), schema, batch.events, carried);
}

/** The steps of a catch-up in a pipeline (`catchUpInPipeline`). */
export interface PipelineSteps {
  /** Reads the page after `position`. */
  read(position: GlobalPosition): Promise<ProjectionBatch>;
  /** Works a batch out ahead of its transaction (`prepareBatch`). */
  prepare(batch: ProjectionBatch, carried: ProjectionCarry): Promise<PreparedProjectionBatch | undefined>;
  /** Commits a batch worked out; false when it was not applied (and the catch-up ends). */
  commit(batch: ProjectionBatch, prepared: PreparedProjectionBatch | undefined): Promise<boolean>;
  /** Asked before each page read ahead: whether to go on with the next one. */
  goOn(): boolean;
}

/**
 * Catches up from a full page, each batch in a transaction of its own, the next page read and worked out in Node (its
 * `prepare`, carrying what this batch left) while the database writes this one: the two cores work at once where
 * they would take turns. Ends after the first page that is not full, when `goOn` says no, or when a commit answers
 * false; answers whether the last commit applied. A failure of a commit throws once the page read ahead is settled
 * (what was worked out ahead is dropped with it); a failure reading or working out the next page throws once this
 * batch is committed. Either way the caller goes on from what was committed.
 */
export async function catchUpInPipeline(first: ProjectionBatch, steps: PipelineSteps): Promise<boolean> {
  let batch = first;
  let prepared = await steps.prepare(batch, undefined);
  for (;;) {
    const writing = steps.commit(batch, prepared);
    const thisOne = prepared;
    const ahead =
      batch.full && steps.goOn()
        ? steps.read(batch.to).then(async (next) => ({ next, prepared: await steps.prepare(next, thisOne?.carry) }))
        : Promise.resolve(null);
    const [written, readAhead] = await Promise.allSettled([writing, ahead]);
    if (written.status === 'rejected') throw written.reason;
    if (!written.value) return false;
    if (readAhead.status === 'rejected') throw readAhead.reason;
    if (readAhead.value === null || readAhead.value.next.to === readAhead.value.next.from) return true;
    ({ next: batch, prepared } = readAhead.value);
  }
}
