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
}

/** Where previewed imports are kept (rows are written once and never changed). */
export interface ImportStore {
  save(stored: StoredImport): Promise<void>;
  get(id: string): Promise<StoredImport | null>;
}
