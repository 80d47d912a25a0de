import type {
  CatchUpTurns,
  GlobalPosition,
  PreparedProjectionBatch,
  Projection,
  ProjectionEventSource,
} from '@zhenggai/application';
import { postgresProjectionSource } from '../event-store/visible-events.query';
import type { Pool } from 'pg';
import {
  applyBatch,
  catchUpInPipeline,
  prepareBatch,
  PROJECTION_BATCH_SIZE,
  readBatch,
  type ProjectionBatch,
} from './projection-batch';
import {
  ensureActiveGeneration,
  projectionVersion,
  readActiveGeneration,
  readActiveVersion,
  readCheckpoint,
} from './projection-generations';
import { ProjectionGenerationMissingError, ProjectionVersionAheadError } from './projection.errors';
import { rebuildProjection } from './rebuild-projection';
import { ProjectionLease } from './projection-lease';
import { assertValidProjection } from './projection-names';
import { lagBetween, readProjectionStatuses, type ProjectionStatus } from './projection-status';
import { inTransaction } from './transaction';
import { InterruptibleWait } from '../support/interruptible-wait';

export interface ProjectionRunnerOptions {
  /** The database of the read models, and of the event store unless `source` is given. */
  readonly pool: Pool;
  readonly projection: Projection;
  /** Where events are read from; default the PostgreSQL event store in `pool`. */
  readonly source?: ProjectionEventSource;
  /**
   * Where the runner reads its batches, when not from `source`: the worker gives its runners the PostgreSQL store's
   * `liveProjectionSource`, whose reads near the head are shared by the process's runners and reactions. Rebuilds and
   * status reports still read `source`.
   */
  readonly liveSource?: ProjectionEventSource;
  /** The most events read, applied and committed at once; default `PROJECTION_BATCH_SIZE` (2,000). */
  readonly batchSize?: number;
  /** How often a runner without the lease tries to take it, and the pause after a failure; default 1000 ms. */
  readonly leaseRetryMs?: number;
  /**
   * How long an idle runner waits before reading again when nothing woke it; default 250 ms. Appends wake it
   * at once (NOTIFY), but an event may also become readable when an older, unrelated transaction ends.
   */
  readonly pollIntervalMs?: number;
  /**
   * How long the appends that follow a batch may gather before the next read, so that under a stream of
   * appends each transaction carries many of them rather than one (its fixed cost, a dozen round trips, would
   * otherwise outweigh the work): `gatherMsPerEvent` (default 10 ms) per position the last batch moved, at most
   * `maxGatherMs` (default 400 ms), counted from the start of that batch. An append after a quiet while is
   * applied at once, and a few in a row wait a few milliseconds; only a busy store's read models lag by up to
   * `maxGatherMs`.
   */
  readonly gatherMsPerEvent?: number;
  readonly maxGatherMs?: number;
  /**
   * The longest wait after failures in a row (PostgreSQL away for a while); default 10 s. After a failure the
   * runner waits `leaseRetryMs`, twice that after a second one in a row, and so on up to this.
   */
  readonly maxFailureWaitMs?: number;
  /**
   * A failure while running (the runner gives up the lease, waits, and starts over from the stored checkpoint).
   * Default: a process warning.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * The process's turns at catching up, shared by its runners: a runner behind by a full page applies only in its
   * turn, and gives the turn up once live or when one more wanted is waiting. Without it, runners catch up
   * all at once.
   */
  readonly catchUpTurns?: CatchUpTurns;
  /**
   * How long after `start()` the runner first tries to take the lease; default 0. Workers that share the projections
   * (each preferring some, `PROJECTIONS_PREFERRED`) start the others' runners with a delay: the worker that prefers a
   * projection takes its lease first, and another takes it over only when none did meanwhile, or once its holder
   * stops or dies.
   */
  readonly deferLeaseMs?: number;
}

/**
 * - `stopped`: not started, or stopped;
 * - `standby`: another process holds the lease; this runner tries again every `leaseRetryMs`;
 * - `catching-up`: holds the lease, and the last page read was full;
 * - `live`: holds the lease and has applied everything readers can see.
 */
export type ProjectionRunnerPhase = 'stopped' | 'standby' | 'rebuilding' | 'catching-up' | 'live';

export interface ProjectionRunnerStatus extends ProjectionStatus {
  readonly phase: ProjectionRunnerPhase;
  /** This runner holds the lease: it is the one applying batches. */
  readonly holdsLease: boolean;
  /** The last failure, until a batch commits or the runner is live again. */
  readonly lastError: string | null;
}

const DEFAULT_LEASE_RETRY_MS = 1000;
const DEFAULT_POLL_INTERVAL_MS = 250;
// Under the write benchmark's load (issue 22) 5 and 200 ms made each of five read models commit five batches a second,
// a dozen statements each; twice as long halved that (a command's CPU, all processes, fell by about a tenth).
const DEFAULT_GATHER_MS_PER_EVENT = 10;
const DEFAULT_MAX_GATHER_MS = 400;
const DEFAULT_MAX_FAILURE_WAIT_MS = 10_000;

/**
 * Keeps one projection up to date from the event store: catch-up from its stored checkpoint, then live.
 *
 * - **One active runner per projection** across processes: the runner that holds the lease
 *   (`ProjectionLease`, a session advisory lock) applies; the others stand by and try to take it every
 *   `leaseRetryMs`, so one takes over when the holder stops or its process dies.
 * - **Each batch is one transaction**: it reads the active generation `FOR SHARE` (a rebuild's activation
 *   of a new generation waits for it, and a batch that finds a new generation rolls back and continues on
 *   that generation from its checkpoint), checks and locks the checkpoint row (the fence: if it is not
 *   where this runner left it, someone else wrote, so it rolls back and starts over from the stored
 *   checkpoint, never applying twice), applies, moves the checkpoint if the server still counts the lease as
 *   this runner's (a runner whose lease connection died mid-batch rolls back) and commits. A crash at any point
 *   leaves the read model and the checkpoint as of the last commit.
 * - **A failure** (PostgreSQL restarting, a connection terminated, a lost lease) rolls the batch back; the
 *   runner gives up the lease, waits `leaseRetryMs` (doubling with each failure in a row, up to
 *   `maxFailureWaitMs`) and starts over from the stored checkpoint.
 * - Events the projection does not take still move its checkpoint (to the store's high-water mark).
 */
export class ProjectionRunner {
  private readonly pool: Pool;
  private readonly projection: Projection;
  private readonly batchSize: number;
  private readonly leaseRetryMs: number;
  private readonly pollIntervalMs: number;
  private readonly gatherMsPerEvent: number;
  private readonly maxGatherMs: number;
  private readonly maxFailureWaitMs: number;
  private readonly source: ProjectionEventSource;

  private loop: Promise<void> | undefined;
  /** Aborted by `stop()` (which also ends a wait for a turn at catching up); a new one at each `start()`. */
  private stopping = new AbortController();
  private woken = false;
  /** The idle wait, which an append, a lost lease or `stop()` ends. */
  private readonly idle = new InterruptibleWait();
  /** The rest after a batch while appends gather, which only `stop()` ends. */
  private readonly gathering = new InterruptibleWait();

  private phase: ProjectionRunnerPhase = 'stopped';
  private holdsLease = false;
  private leased = false;
  private generation: number | null = null;
  private position: GlobalPosition = 0n;
  private head: GlobalPosition = 0n;
  private lastBatchAt: string | null = null;
  private lastError: string | null = null;
  /** The generation whose read indexes this runner has seen to (`readIndexesOwed`). */
  private indexedGeneration: number | null = null;
  /** Failures since the last batch committed or the runner was last live or on standby. */
  private failuresInARow = 0;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.pool = options.pool;
    this.projection = options.projection;
    this.batchSize = options.batchSize ?? PROJECTION_BATCH_SIZE;
    this.leaseRetryMs = options.leaseRetryMs ?? DEFAULT_LEASE_RETRY_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.gatherMsPerEvent = options.gatherMsPerEvent ?? DEFAULT_GATHER_MS_PER_EVENT;
    this.maxGatherMs = options.maxGatherMs ?? DEFAULT_MAX_GATHER_MS;
    this.maxFailureWaitMs = options.maxFailureWaitMs ?? DEFAULT_MAX_FAILURE_WAIT_MS;
    this.source = options.liveSource ?? options.source ?? postgresProjectionSource(this.pool);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be at least 1');
    assertValidProjection(this.projection);
  }

  private get stopRequested(): boolean {
    return this.stopping.signal.aborted;
  }

  get name(): string {
    return this.projection.name;
  }

  /**
   * Makes sure the projection has an active generation (creating generation 1 and the `read_models` views on
   * first use, so readers find them even before a runner takes the lease), then runs in the background.
   * Rejects if that first step fails. Calling it on a running runner does nothing.
   */
  async start(): Promise<void> {
    if (this.loop) return;
    await ensureActiveGeneration(this.pool, this.projection);
    await this.refreshFromDatabase();
    // Far behind: the turn at catching up, if free, is this runner's from now (given up if it gets no lease). Not a
    // runner that waits before its first try (another worker's projection): it would keep the turn from this worker's
    // own for as long as it waits.
    if (!this.options.deferLeaseMs && this.head - this.position >= BigInt(this.batchSize))
      this.options.catchUpTurns?.tryTake(this.projection.name);
    this.stopping = new AbortController();
    this.phase = 'standby';
    this.loop = this.run();
  }

  /** Finishes the batch in flight, gives up the lease and resolves when the runner has stopped. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.gathering.end();
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  status(): ProjectionRunnerStatus {
    return {
      name: this.projection.name,
      generation: this.generation,
      position: this.position,
      head: this.head,
      lag: lagBetween(this.position, this.head),
      lastBatchAt: this.lastBatchAt,
      leased: this.leased,
      phase: this.phase,
      holdsLease: this.holdsLease,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    // On standby meanwhile (only `stop()` cuts it short: appends do not).
    await this.rest(this.options.deferLeaseMs ?? 0);
    while (!this.stopRequested) {
      try {
        const lease = await ProjectionLease.tryAcquire(this.pool, this.projection.name, () => this.wake());
        if (lease) {
          this.holdsLease = this.leased = true;
          try {
            await this.runWithLease(lease);
          } finally {
            this.holdsLease = false;
            await lease.release();
          }
        } else {
          this.phase = 'standby';
          this.options.catchUpTurns?.give(this.projection.name);
          await this.refreshFromDatabase();
          this.failuresInARow = 0;
        }
      } catch (error) {
        this.options.catchUpTurns?.give(this.projection.name);
        this.failuresInARow++;
        this.report(error);
      }
      if (!this.stopRequested) {
        this.phase = 'standby';
        this.woken = false;
        await this.pause(this.waitBeforeRetry());
      }
    }
    this.phase = 'stopped';
    this.leased = false;
  }

  /** Applies batches until asked to stop; throws on any failure (the caller releases the lease). */
  private async runWithLease(lease: ProjectionLease): Promise<void> {
    this.phase = 'catching-up';
    await this.moveToActiveGeneration();
    await this.upgradeIfBuiltByAnOlderVersion();
    const unwatch = this.source.watch?.(() => this.wake());
    try {
      await this.applyUntilStopped(lease);
    } finally {
      unwatch?.();
      this.options.catchUpTurns?.give(this.projection.name);
    }
  }

  private async applyUntilStopped(lease: ProjectionLease): Promise<void> {
    const turns = this.options.catchUpTurns;
    while (!this.stopRequested) {
      lease.assertHeld();
      this.woken = false;
      const startedAt = Date.now();
      let batch: ProjectionBatch | null = await readBatch(this.source, this.projection, this.position, this.batchSize);
      if (batch.head > this.head) this.head = batch.head;
      if (batch.full && !this.holdsTurn()) {
        // Let go while the turn is awaited (minutes at a long catch-up, with every runner behind holding a page of
        // 2,000 events), and read again once it comes.
        batch = null;
        await this.waitForTurn();
        continue;
      }
      // A short page: live, or about to be, and no longer catching up.
      if (!batch.full) turns?.give(this.projection.name);
      if (batch.full && this.projection.prepare) {
        await this.catchUpInPipeline(batch, lease);
        this.phase = 'catching-up';
        if (turns?.shouldYield(this.projection.name)) turns.give(this.projection.name);
        continue;
      }
      // The read indexes a generation filled from far behind lacks come with the batch that catches it up (even one
      // with nothing new in it).
      if (batch.to > batch.from || this.readIndexesOwed(batch)) {
        if (!(await this.commit(batch, lease))) continue;
        if (batch.full) {
          this.phase = 'catching-up';
          if (turns?.shouldYield(this.projection.name)) turns.give(this.projection.name);
          continue;
        }
        this.phase = 'live';
        // Appends meanwhile wake the runner (`woken`), and are read together after the rest.
        const gatherMs = Math.min(this.maxGatherMs, this.gatherMsPerEvent * Number(batch.to - batch.from));
        await this.rest(gatherMs - (Date.now() - startedAt));
      }
      this.phase = 'live';
      this.lastError = null;
      this.failuresInARow = 0;
      await this.pause(this.pollIntervalMs);
    }
  }

  /**
   * Far behind, with a projection that prepares its batches: full pages one after another, the next worked out while
   * this one is written (`catchUpInPipeline`), until a page comes back short, the runner is asked to stop or another
   * runner waits for its turn at catching up. The loop goes on from what was committed.
   */
  private async catchUpInPipeline(first: ProjectionBatch, lease: ProjectionLease): Promise<void> {
    const generation = this.generation!;
    const turns = this.options.catchUpTurns;
    await catchUpInPipeline(first, {
      read: async (position) => {
        const batch = await readBatch(this.source, this.projection, position, this.batchSize);
        if (batch.head > this.head) this.head = batch.head;
        return batch;
      },
      prepare: (batch, carried) => prepareBatch(this.pool, this.projection, generation, batch, carried),
      commit: (batch, prepared) => {
        lease.assertHeld();
        return this.commit(batch, lease, prepared);
      },
      goOn: () => !this.stopRequested && !turns?.shouldYield(this.projection.name),
    });
  }

  /**
   * Commits one batch (worked out ahead, or not) into the active generation. Returns false, having applied nothing,
   * when a rebuild activated another generation since the last batch: the runner has moved to it.
   */
  private async commit(
    batch: ProjectionBatch,
    lease: ProjectionLease,
    prepared?: PreparedProjectionBatch,
  ): Promise<boolean> {
    const generation = this.generation!;
    const readIndexes = this.readIndexesOwed(batch);
    const applied = await inTransaction(this.pool, async (client) => {
      const active = await readActiveGeneration(client, this.projection.name, 'FOR SHARE');
      if (active !== generation) return false;
      await applyBatch(client, this.projection, generation, batch, lease.fence, prepared, readIndexes);
      return true;
    });
    if (!applied) {
      await this.moveToActiveGeneration();
      await this.upgradeIfBuiltByAnOlderVersion();
      return false;
    }
    if (readIndexes) this.indexedGeneration = generation;
    this.position = batch.to;
    this.lastBatchAt = new Date().toISOString();
    this.lastError = null;
    this.failuresInARow = 0;
    return true;
  }

  /**
   * Whether this batch is the one to give the generation its read indexes (`Projection.readIndexes`): the first short
   * page this runner commits to it. Before that, a generation filled from far behind goes without them.
   */
  private readIndexesOwed(batch: ProjectionBatch): boolean {
    return !batch.full && this.projection.readIndexes !== undefined && this.indexedGeneration !== this.generation;
  }

  /**
   * A read model built by an older version of the projection is rebuilt (blue/green: the old one keeps serving
   * until the new one is complete) by the runner holding the lease, before it applies anything; one built by a
   * newer version is left alone (this is an old process during a rolling upgrade).
   */
  private async upgradeIfBuiltByAnOlderVersion(): Promise<void> {
    const active = await readActiveVersion(this.pool, this.projection.name);
    const mine = projectionVersion(this.projection);
    if (active === null || active === mine) return;
    if (active > mine) throw new ProjectionVersionAheadError(this.projection.name, active, mine);
    this.phase = 'rebuilding';
    // Not in turns: the old generation serves meanwhile, and a long rebuild must not hold another runner back.
    await rebuildProjection({
      pool: this.pool,
      projection: this.projection,
      batchSize: this.batchSize,
      source: this.options.source,
    });
    await this.moveToActiveGeneration();
    this.phase = 'catching-up';
  }

  private async moveToActiveGeneration(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const generation = await ensureActiveGeneration(this.pool, this.projection);
      const position = await readCheckpoint(this.pool, this.projection.name, generation);
      if (position !== null) {
        this.generation = generation;
        this.position = position;
        return;
      }
      // A generation activated (and the old one dropped) between the two reads: read again.
      if (attempt === 3) throw new ProjectionGenerationMissingError(this.projection.name, generation);
    }
  }

  /** Whether the runner may apply a full page: it has a turn at catching up (or there are no turns). */
  private holdsTurn(): boolean {
    const turns = this.options.catchUpTurns;
    return !turns || turns.holds(this.projection.name);
  }

  /** Waits for a turn at catching up (the page in hand let go meanwhile: it is read again then). */
  private async waitForTurn(): Promise<void> {
    const turns = this.options.catchUpTurns;
    if (!turns || turns.holds(this.projection.name)) return;
    this.phase = 'catching-up';
    // Stopped while waiting: the loop ends without applying anything.
    await turns.take(this.projection.name, this.stopping.signal).catch((error: unknown) => {
      if (!this.stopRequested) throw error;
    });
  }

  private async refreshFromDatabase(): Promise<void> {
    const [stored] = await readProjectionStatuses(this.pool, [this.projection.name], this.options.source);
    if (!stored) return;
    this.generation = stored.generation;
    this.position = stored.position;
    this.head = stored.head;
    this.lastBatchAt = stored.lastBatchAt;
    this.leased = stored.leased;
  }

  /** `leaseRetryMs` on standby or after one failure, doubling with each failure in a row up to `maxFailureWaitMs`. */
  private waitBeforeRetry(): number {
    const doublings = Math.max(0, this.failuresInARow - 1);
    return Math.min(
      this.leaseRetryMs * 2 ** Math.min(doublings, 20),
      Math.max(this.leaseRetryMs, this.maxFailureWaitMs),
    );
  }

  private wake(): void {
    this.woken = true;
    this.idle.end();
  }

  /** Waits `ms`, or less when woken (an append, a lost lease, `stop()`). */
  private async pause(ms: number): Promise<void> {
    if (this.woken || this.stopRequested) return;
    await this.idle.for(ms);
  }

  /** Waits `ms` (if positive); only `stop()` cuts it short. */
  private async rest(ms: number): Promise<void> {
    if (ms <= 0 || this.stopRequested) return;
    await this.gathering.for(ms);
  }

  private report(error: unknown): void {
    this.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    try {
      if (this.options.onError) return this.options.onError(error);
    } catch {
      // A failing onError must not stop the runner.
    }
    process.emitWarning(
      `projection ${this.projection.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}
