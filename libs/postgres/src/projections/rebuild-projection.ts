import type { GlobalPosition, Projection, ProjectionEventSource } from '@zhenggai/application';
import type { Pool, PoolClient } from 'pg';
import { postgresProjectionSource } from '../event-store/visible-events.query';
import {
  applyBatch,
  catchUpInPipeline,
  prepareBatch,
  PROJECTION_BATCH_SIZE,
  readBatch,
  type ProjectionBatch,
} from './projection-batch';
import { ProjectionRebuildInProgressError } from './projection.errors';
import {
  createGeneration,
  createReadIndexes,
  dropGenerations,
  ensureActiveGeneration,
  pointViews,
  projectionVersion,
  readActiveGeneration,
} from './projection-generations';
import { assertValidProjection, generationSchema } from './projection-names';
import { acquireRebuildLock } from './rebuild-lock';
import type { SessionLock } from './session-lock';
import { inTransaction } from './transaction';

export interface RebuildProjectionOptions {
  /** The database of the read models, and of the event store unless `source` is given. */
  readonly pool: Pool;
  readonly projection: Projection;
  /**
   * Where events are read from; default the PostgreSQL event store in `pool` (inside the activating transaction at the
   * end).
   */
  readonly source?: ProjectionEventSource;
  /** Events per transaction; default `PROJECTION_BATCH_SIZE` (2,000). */
  readonly batchSize?: number;
  /**
   * Called after each batch with the events applied so far and the events to apply in all; `total` grows
   * when events are appended during the rebuild. Called once with `(0, total)` before the first batch.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RebuildResult {
  readonly name: string;
  /** The generation now active. */
  readonly generation: number;
  /** The generation it replaced (now dropped). */
  readonly previousGeneration: number;
  /** The new generation's checkpoint when it was activated. */
  readonly position: GlobalPosition;
  /** Events applied to the new generation by the rebuild. */
  readonly events: number;
}

/**
 * Rebuilds a projection from the start of the store, blue/green, whether or not a runner is running:
 *
 * 1. creates generation N+1 beside the active generation N (a new schema, `setup`, its own checkpoint);
 * 2. applies every event to it in batches, each committed with its checkpoint, while readers keep using
 *    the views on generation N and a live runner keeps applying to N;
 * 3. once caught up, in one transaction: locks the state row `FOR UPDATE` (waiting for a live batch in
 *    flight, and holding the next one back), applies the events that came in meanwhile, points the
 *    `read_models` views at N+1 and makes N+1 active;
 * 4. drops generation N. A live runner finds N+1 active at its next batch and continues there.
 *
 * One rebuild per projection at a time (`ProjectionRebuildInProgressError` otherwise). A rebuild that fails
 * or dies leaves N active and untouched; its partial generation is dropped (by the next rebuild, if the
 * process died). A projection never started gets an empty generation 1 first.
 */
export async function rebuildProjection(options: RebuildProjectionOptions): Promise<RebuildResult> {
  const { pool, projection } = options;
  assertValidProjection(projection);
  const batchSize = options.batchSize ?? PROJECTION_BATCH_SIZE;
  const lock = await acquireRebuildLock(pool, projection.name);
  try {
    const previousGeneration = await ensureActiveGeneration(pool, projection);
    await dropGenerations(pool, projection.name, 'newer-than', previousGeneration);
    const generation = previousGeneration + 1;
    await inTransaction(pool, (client) => createGeneration(client, projection, generation));

    let position: GlobalPosition;
    let progress: RebuildProgress;
    try {
      const sourceOf = (db: Pool | PoolClient) => options.source ?? postgresProjectionSource(db);
      progress = await RebuildProgress.start(sourceOf(pool), projection, options.onProgress);
      const write = { projection, generation, batchSize, progress, sourceOf, lock };
      position = await catchUp(pool, write);
      // Filled without its read indexes; they are made before it serves (not inside the activation, which holds up
      // the live runner's batches while it lasts).
      await createReadIndexes(pool, projection, generationSchema(projection.name, generation));
      position = await activate(pool, write, previousGeneration, position);
    } catch (error) {
      // Without the lock, the generation may be another rebuild's by now: leave it to the next rebuild.
      const stillOurs = await lock.assertStillHeld(pool).then(
        () => true,
        () => false,
      );
      if (stillOurs)
        await dropGenerations(pool, projection.name, 'newer-than', previousGeneration).catch(() => undefined);
      throw error;
    }
    await dropGenerations(pool, projection.name, 'older-than', generation);
    return { name: projection.name, generation, previousGeneration, position, events: progress.done };
  } finally {
    await lock.release();
  }
}

interface GenerationWrite {
  readonly projection: Projection;
  readonly generation: number;
  readonly batchSize: number;
  readonly progress: RebuildProgress;
  readonly sourceOf: (db: Pool | PoolClient) => ProjectionEventSource;
  /** The rebuild's lock: every batch and the activation commit only while the server still counts it as held. */
  readonly lock: SessionLock;
}

/** Applies batches to the new generation, each in a transaction of its own, until a page comes back short. */
async function catchUp(pool: Pool, write: GenerationWrite): Promise<GlobalPosition> {
  for (let position = 0n; ;) {
    const batch = await readBatch(write.sourceOf(pool), write.projection, position, write.batchSize);
    if (batch.full && write.projection.prepare) {
      // The next page worked out while this one is written (see `catchUpInPipeline`), until a page comes back short.
      await catchUpInPipeline(batch, {
        read: (from) => readBatch(write.sourceOf(pool), write.projection, from, write.batchSize),
        prepare: (next, carried) => prepareBatch(pool, write.projection, write.generation, next, carried),
        commit: async (next, prepared) => {
          await inTransaction(pool, (client) =>
            applyBatch(client, write.projection, write.generation, next, write.lock, prepared),
          );
          write.progress.applied(next);
          position = next.to;
          return true;
        },
        goOn: () => true,
      });
      continue;
    }
    if (batch.to > batch.from) {
      await inTransaction(pool, (client) => applyBatch(client, write.projection, write.generation, batch, write.lock));
      write.progress.applied(batch);
      position = batch.to;
    }
    if (!batch.full) return position;
  }
}

/**
 * The swap, in one transaction: the state row locked `FOR UPDATE`, the last events applied, the views
 * re-pointed, the new generation made active.
 */
async function activate(
  pool: Pool,
  write: GenerationWrite,
  previousGeneration: number,
  from: GlobalPosition,
): Promise<GlobalPosition> {
  const { projection, generation } = write;
  return inTransaction(pool, async (client) => {
    const active = await readActiveGeneration(client, projection.name, 'FOR UPDATE');
    if (active !== previousGeneration) throw new ProjectionRebuildInProgressError(projection.name);
    const position = await applyRemaining(client, write, from);
    await write.lock.assertStillHeld(client);
    await pointViews(client, projection, generation);
    await client.query(
      'UPDATE projection_state SET active_generation = $2, active_version = $3, updated_at = now() WHERE name = $1',
      [projection.name, generation, projectionVersion(projection)],
    );
    return position;
  });
}

async function applyRemaining(
  client: PoolClient,
  write: GenerationWrite,
  from: GlobalPosition,
): Promise<GlobalPosition> {
  for (let position = from; ;) {
    const batch = await readBatch(write.sourceOf(client), write.projection, position, write.batchSize);
    if (batch.to > batch.from) {
      await applyBatch(client, write.projection, write.generation, batch, write.lock);
      write.progress.applied(batch);
      position = batch.to;
    }
    if (!batch.full) return position;
  }
}

/** Events applied vs events to apply: those up to the head when the rebuild started, plus any appended since. */
class RebuildProgress {
  done = 0;

  private constructor(
    private readonly startHead: GlobalPosition,
    private total: number,
    private readonly report: ((done: number, total: number) => void) | undefined,
  ) {
    report?.(0, total);
  }

  /**
   * A source that cannot count cheaply starts from a total of 0, which then grows with what is applied; so does a
   * rebuild nobody watches (without `report`), which is spared the count: a scan of the whole store where the
   * projection takes a few types (the catalogue's 8,000 events of 375,000 spent a third of their rebuild on it).
   */
  static async start(
    source: ProjectionEventSource,
    projection: Projection,
    report: ((done: number, total: number) => void) | undefined,
  ): Promise<RebuildProgress> {
    const head = await source.readHead();
    const total = report
      ? await source.countEvents({ through: head, eventTypePrefixes: projection.eventTypePrefixes })
      : 0;
    return new RebuildProgress(head, total ?? 0, report);
  }

  applied(batch: ProjectionBatch): void {
    this.done += batch.events.length;
    this.total += batch.events.filter((event) => event.position > this.startHead).length;
    this.total = Math.max(this.total, this.done);
    this.report?.(this.done, this.total);
  }
}
