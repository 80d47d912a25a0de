import { get, post, sendFile } from './api';

/** A directory entry a row was matched to. */
export interface NamedRef {
  readonly id: string;
  readonly name: string;
}

/** What is wrong with a row, in Chinese, naming the column (`null`: the row as a whole). */
export interface RowProblem {
  readonly column: string | null;
  readonly message: string;
}

/** One spreadsheet row as the API read it: the finding and task it would file, and its problems. */
export interface PreviewRow {
  readonly rowNumber: number;
  readonly number: string | null;
  readonly finding: {
    readonly title: string | null;
    readonly description: string;
    readonly region: (NamedRef & { readonly code: string }) | null;
    readonly category: { readonly code: string; readonly name: string } | null;
    readonly severity: 'low' | 'medium' | 'high' | null;
    readonly source: string;
  };
  readonly tasks: ReadonlyArray<{
    readonly leadUnit: NamedRef | null;
    readonly cooperatingUnits: readonly NamedRef[];
    readonly deadline: string | null;
    readonly measures: string | null;
    readonly target: { readonly quantity: number; readonly unit: string } | null;
  }>;
  readonly problems: readonly RowProblem[];
}

/** What a commit made of a row. */
export type CommittedRow =
  | { readonly rowNumber: number; readonly status: 'filed'; readonly findingId: string; readonly taskIds: string[] }
  | { readonly rowNumber: number; readonly status: 'skipped' }
  | { readonly rowNumber: number; readonly status: 'failed'; readonly code: string; readonly detail: string };

/**
 * The last commit of an import. A commit run in the background answers `status: 'running'` with its progress until
 * it is `done`; a commit without a status was run while the request waited, and is done.
 */
export interface ImportCommit {
  readonly at?: string;
  readonly status?: string;
  readonly processed?: number;
  readonly total?: number;
  readonly rows?: readonly CommittedRow[];
}

/** A 问题清单 upload as previewed, with its last commit. */
export interface ProblemListImport {
  readonly id: string;
  readonly fileName: string | null;
  readonly importedAt: string;
  readonly counts: { readonly rows: number; readonly valid: number; readonly invalid: number };
  readonly rows: readonly PreviewRow[];
  readonly commit: ImportCommit | null;
}

/** Whether a commit has finished (anything but one still running or queued has). */
export const commitFinished = (commit: ImportCommit | null): boolean =>
  !!commit && (commit.status === undefined || commit.status === 'done' || commit.status === 'failed');

/** Sends a spreadsheet for preview: nothing is filed. */
export async function previewProblemList(file: File): Promise<ProblemListImport> {
  return (await sendFile('/api/imports', file)).json();
}

export const loadImport = (id: string) => get<ProblemListImport>(`/api/imports/${id}`);

/** How a commit stands, without the rows: what the progress bar polls. */
export interface ImportStatus {
  readonly id: string;
  readonly rows: number;
  readonly commit: { readonly status: 'running' | 'done'; readonly processed: number; readonly total: number } | null;
}

export const loadImportStatus = (id: string) => get<ImportStatus>(`/api/imports/${id}/status`);
export const commitImport = (id: string) => post<ProblemListImport>(`/api/imports/${id}/commit`);
