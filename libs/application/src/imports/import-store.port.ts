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
  /** The last commit: when, and what became of each row. */
  readonly commit: { readonly at: string; readonly rows: readonly CommittedRow[] } | null;
}

/** What a commit made of a row: the finding and tasks it filed (or had filed before), or why not. */
export type CommittedRow =
  | { readonly rowNumber: number; readonly status: 'filed'; readonly findingId: string; readonly taskIds: string[] }
  | { readonly rowNumber: number; readonly status: 'skipped' }
  | { readonly rowNumber: number; readonly status: 'failed'; readonly code: string; readonly detail: string };

/** Where previewed imports are kept (rows are written once and never changed). */
export interface ImportStore {
  save(stored: StoredImport): Promise<void>;
  get(id: string): Promise<StoredImport | null>;
  recordCommit(id: string, commit: NonNullable<StoredImport['commit']>): Promise<void>;
}
