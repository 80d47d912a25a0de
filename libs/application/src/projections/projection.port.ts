import { LeaveOutKeys, StoredEvent } from '../event-store/event-store.port';

/**
 * A SQL connection inside the projection runner's transaction: whatever a projection writes through it commits
 * together with the projection's checkpoint, or not at all.
 */
export interface ProjectionSql {
  query<R = any>(text: string, values?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * What `apply` writes through: the statements of `ProjectionSql`, and rows appended in bulk (PostgreSQL's COPY), which
 * the server takes in a fraction of the work the same rows cost it parsed from a JSON parameter.
 */
export interface ProjectionWriteSql extends ProjectionSql {
  /**
   * Appends `rows` to `table` (schema-qualified, quoted as needed), each row's `columns` in that order. A value is a
   * string (as its column's type reads it), a number, a boolean, null (or undefined), an array of strings (an array
   * column) or any other object (a json or jsonb column). Answers the rows appended.
   */
  copyRows<R extends object>(
    table: string,
    columns: ReadonlyArray<keyof R & string>,
    rows: readonly R[],
  ): Promise<number>;
}

/**
 * A read model built from the event store. Its tables live in a schema of their own per generation
 * (`schema`), so a rebuild can fill a new generation while the old one keeps serving (blue/green); readers use
 * the stable views the projection defines in `views`, which the runner points at the active generation.
 */
export interface Projection {
  /** Stable name, e.g. `tasks`: names the checkpoint, the lease and the schemas (`proj_tasks_g1`). */
  readonly name: string;
  /**
   * The version of its tables and of what `apply` writes (default 1). Raise it with any such change: a worker
   * that finds the active generation built by an older version rebuilds it (blue/green) by itself.
   */
  readonly version?: number;
  /** Only events whose type starts with one of these are handed to `apply` (all others still move the checkpoint). */
  readonly eventTypePrefixes: readonly string[];
  /**
   * Optional: keys of the events' data `apply` never reads, which the event store may leave out of what it hands over
   * (`LeaveOutKeys`; the PostgreSQL store does for a projection catching up).
   */
  readonly leaveOutKeys?: LeaveOutKeys;
  /**
   * Create the projection's tables in `schema` (empty, new), with the indexes its own writes need (keys, and what
   * `apply` looks rows up by); the indexes only readers use go in `readIndexes`.
   */
  setup(sql: ProjectionSql, schema: string): Promise<void>;
  /**
   * Optional: the indexes only the readers use. A generation is filled without them and gets them in the transaction
   * that catches it up (the first page that comes back short, or before a rebuilt generation is activated), so that a
   * runner far behind does not maintain them row by row; a generation that has them keeps them. Each is named (a
   * name unique in the schema, `CREATE INDEX IF NOT EXISTS` by that name) and defined by what follows the name
   * (`ON "<schema>".table (columns) WHERE …`).
   */
  readIndexes?(schema: string): ReadonlyArray<ProjectionIndex>;
  /**
   * The stable read views, each `{ name, select }` where `select` reads from `schema`, e.g.
   * `{ name: 'task_versions', select: 'SELECT * FROM "proj_tasks_g3".task_versions' }`; the runner creates them
   * as `read_models.<name>` and re-points them in the transaction that activates a new generation.
   */
  views(schema: string): ReadonlyArray<{ readonly name: string; readonly select: string }>;
  /** Apply one batch, in position order, inside the runner's transaction. Must be deterministic. */
  apply(sql: ProjectionWriteSql, schema: string, events: readonly StoredEvent[]): Promise<void>;
  /**
   * Optional: `apply` in two steps, so that a runner far behind can work out the next batch in Node while the
   * database writes this one. `prepare` reads what the batch needs through `sql` (committed rows, outside the batch's
   * transaction) and does the batch's work in memory; the answer's `write` then writes it inside the transaction.
   * `carried` is the `carry` of the batch before, handed on while that batch is still being written (so its rows are
   * not committed yet): what it holds stands for those rows, which `write` will find committed. A runner hands a
   * `carry` on only to the very next batch, and only while that batch's commit has not failed; on any failure it
   * prepares again from committed rows. `apply` must do the same as `prepare` then `write` in one transaction.
   */
  prepare?(
    sql: ProjectionSql,
    schema: string,
    events: readonly StoredEvent[],
    carried?: ProjectionCarry,
  ): Promise<PreparedProjectionBatch>;
}

/** An index of a projection's read side (`Projection.readIndexes`). */
export interface ProjectionIndex {
  readonly name: string;
  /** What follows `CREATE INDEX <name>`: `ON "<schema>".table (columns)`, and a `WHERE` for a partial index. */
  readonly on: string;
  /** A unique index: made once caught up, it fails the batch that catches up if two rows share a key. */
  readonly unique?: boolean;
}

/** What a projection's `prepare` hands on to the next batch: opaque to the runner. */
export type ProjectionCarry = unknown;

/** A batch worked out by `Projection.prepare`, to be written inside the batch's transaction. */
export interface PreparedProjectionBatch {
  write(sql: ProjectionWriteSql): Promise<void>;
  /** What the next batch, prepared before this one commits, takes instead of reading this one's rows. */
  readonly carry: ProjectionCarry;
}
