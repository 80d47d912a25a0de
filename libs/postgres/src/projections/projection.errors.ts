/** A projection's name or one of its view names cannot name PostgreSQL objects safely. */
export class InvalidProjectionError extends Error {
  constructor(
    readonly projectionName: string,
    reason: string,
  ) {
    super(`projection ${JSON.stringify(projectionName)}: ${reason}`);
    this.name = new.target.name;
  }
}

/**
 * A generation's checkpoint is not where this writer left it: someone else applied batches to it (a lease
 * lost, a second rebuild). The batch was rolled back; nothing was applied twice.
 */
export class ProjectionFencedError extends Error {
  constructor(
    readonly projectionName: string,
    readonly generation: number,
    readonly expected: bigint,
    readonly found: bigint | null,
  ) {
    super(
      `projection ${projectionName} generation ${generation}: checkpoint is ` +
        `${found ?? 'missing'}, expected ${expected}; ` +
        'another writer moved it, the batch was rolled back',
    );
    this.name = new.target.name;
  }
}

/** The connection holding a runner's lease failed, so the lease may already be another process's. */
export class ProjectionLeaseLostError extends Error {
  constructor(
    readonly projectionName: string,
    cause?: unknown,
  ) {
    super(`projection ${projectionName}: the lease connection was lost`, { cause });
    this.name = new.target.name;
  }
}

/**
 * The connection holding a rebuild's lock failed, so another rebuild may have started: this one stops, commits
 * nothing more, and leaves the generation it was building for the next rebuild to drop.
 */
export class ProjectionRebuildLockLostError extends Error {
  constructor(
    readonly projectionName: string,
    cause?: unknown,
  ) {
    super(
      `projection ${projectionName}: the rebuild lock's connection was lost; the rebuild stopped and activated nothing`,
      { cause },
    );
    this.name = new.target.name;
  }
}

/** Another process is rebuilding the same projection right now. */
export class ProjectionRebuildInProgressError extends Error {
  constructor(readonly projectionName: string) {
    super(`projection ${projectionName} is already being rebuilt by another process`);
    this.name = new.target.name;
  }
}

/** The projection's state names an active generation that has no checkpoint row: the tables were edited by hand. */
export class ProjectionGenerationMissingError extends Error {
  constructor(
    readonly projectionName: string,
    readonly generation: number,
  ) {
    super(`projection ${projectionName}: the active generation ${generation} has no checkpoint row`);
    this.name = new.target.name;
  }
}

/** The active read model was built by a newer version of the projection than this process runs. */
export class ProjectionVersionAheadError extends Error {
  constructor(
    readonly projectionName: string,
    readonly activeVersion: number,
    readonly runningVersion: number,
  ) {
    super(
      `projection ${projectionName}: the read model was built by version ` +
        `${activeVersion}, this process runs version ${runningVersion}; it ` +
        'applies nothing until it is upgraded',
    );
    this.name = 'ProjectionVersionAheadError';
  }
}
