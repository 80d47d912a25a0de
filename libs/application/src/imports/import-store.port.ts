import { Actor } from '@zhenggai/domain';
import { PreviewRow } from './problem-list-preview';

export const IMPORT_STORE = Symbol('ImportStore');

/** An uploaded 问题清单 as previewed: what a later commit files, found by its id. */
export interface StoredImport {
  readonly id: string;
  readonly fileName: string | null;
  readonly fileSha256: string;
  /** 'xlsx' or 'csv'. */
  readonly format: string;
  readonly importedBy: { readonly userId: string; readonly username: string };
  /** When it was previewed (ISO 8601, from the clock). */
  readonly importedAt: string;
  readonly rows: readonly PreviewRow[];
  /** The last commit: running (the rows filed so far) or done (when, and what became of each row). */
  readonly commit: ImportCommit | null;
}

/**
 * A commit of an import's rows, filed one by one in the background: `processed` of `total` rows have their outcome
 * recorded (in `rows`, by row number); once every row has one, it is done.
 */
export type ImportCommit =
  | {
      readonly status: 'running';
      readonly startedAt: string;
      readonly processed: number;
      readonly total: number;
      readonly rows: readonly CommittedRow[];
    }
  | {
      readonly status: 'done';
      readonly startedAt: string | null;
      /** When the last row was filed. */
      readonly at: string;
      readonly processed: number;
      readonly total: number;
      readonly rows: readonly CommittedRow[];
    };

/** What a commit made of a row: the finding and tasks it filed (or had filed before), or why not. */
export type CommittedRow =
  | { readonly rowNumber: number; readonly status: 'filed'; readonly findingId: string; readonly taskIds: string[] }
  | { readonly rowNumber: number; readonly status: 'skipped' }
  | { readonly rowNumber: number; readonly status: 'failed'; readonly code: string; readonly detail: string };

/**
 * The right to run an import's commit, held by one runner at a time across processes (and given up when its
 * process dies), with what the runner needs to go on where the last one stopped.
 */
export interface ImportCommitClaim {
  readonly stored: StoredImport;
  /** Who asked for the commit: the actor of every command it files. */
  readonly actor: Actor;
  /** The rows whose outcome is recorded already (by row number): a resumed commit files the others. */
  readonly recorded: ReadonlySet<number>;
  /** Records a row's outcome, durably, before the next row is filed. */
  recordRow(row: CommittedRow): Promise<void>;
  /** Marks the commit done at `at`, with the outcomes recorded. */
  finish(at: string): Promise<void>;
  /** Gives the claim up. Idempotent. */
  release(): Promise<void>;
}

/** Where previewed imports are kept (rows are written once and never changed) with their commits' progress. */
/** How an import's commit stands, without its rows: what a progress bar polls. */
export interface ImportStatus {
  readonly id: string;
  readonly importedByUserId: string;
  readonly rows: number;
  readonly commit: {
    readonly status: 'running' | 'done';
    readonly startedAt: string | null;
    readonly at: string | null;
    readonly processed: number;
    readonly total: number;
    readonly filed: number;
    readonly skipped: number;
    readonly failed: number;
  } | null;
}

export interface ImportStore {
  save(stored: StoredImport): Promise<void>;
  get(id: string): Promise<StoredImport | null>;
  /** The import's commit as it stands, counted in the database: no row of the file is read into the process. */
  status(id: string): Promise<ImportStatus | null>;
  /**
   * Records that a commit was asked for, by `actor` at `startedAt`: `true` when it starts now (the outcomes of an
   * earlier commit forgotten), `false` when one is running already (which goes on as it was).
   */
  requestCommit(id: string, actor: Actor, startedAt: string): Promise<boolean>;
  /** The imports whose commit was asked for and is not done (a runner may hold it, or none: resume it). */
  runningCommits(): Promise<string[]>;
  /** Takes the right to run a running commit; `null` when another runner holds it or the commit is not running. */
  claimCommit(id: string): Promise<ImportCommitClaim | null>;
}
