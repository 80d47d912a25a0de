import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  Clock,
  ID_GENERATOR,
  IdGenerator,
  IMPORT_STORE,
  ImportStatus,
  ImportStore,
  previewProblemList,
  StoredImport,
  USE_CASE_DEPS,
  UseCaseDeps,
} from '@zhenggai/application';
import { Actor, NotFoundError, shanghaiDateOf } from '@zhenggai/domain';
import { UploadedBody } from '../http/uploaded-body';
import { ImportCommitRunner } from './import-commit.runner';
import { problemListRows } from './problem-list-sheet';
import { readSpreadsheet } from './spreadsheet-file';

/** An import as the API answers it: the stored preview with its counts. */
export type ImportView = StoredImport & {
  readonly counts: { readonly rows: number; readonly valid: number; readonly invalid: number };
};

/** 问题清单 import: a file read and previewed against the directory, kept for a later commit. */
@Injectable()
export class ImportsService {
  constructor(
    @Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps,
    @Inject(IMPORT_STORE) private readonly imports: ImportStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly runner: ImportCommitRunner,
  ) {}

  async preview(file: UploadedBody, fileName: string | null, actor: Actor): Promise<ImportView> {
    const sheet = await readSpreadsheet(file.bytes);
    const now = this.clock.now();
    const rows = await previewProblemList(
      this.deps,
      { actor, today: shanghaiDateOf(now), fileName },
      problemListRows(sheet),
    );
    const stored: StoredImport = {
      id: this.ids.newId(),
      fileName,
      fileSha256: file.sha256,
      format: sheet.format,
      importedBy: { userId: actor.userId, username: actor.username },
      importedAt: now.toISOString(),
      rows,
      commit: null,
    };
    await this.imports.save(stored);
    return viewOf(stored);
  }

  /** An import, to the inspector who made it only (to anyone else it does not exist). */
  async get(id: string, actor: Actor): Promise<ImportView> {
    const stored = await this.imports.get(id);
    if (!stored || stored.importedBy.userId !== actor.userId) throw new NotFoundError('Import', id);
    return viewOf(stored);
  }

  /** How the import's commit stands, without its rows (what a progress bar polls), to its inspector only. */
  async status(id: string, actor: Actor): Promise<ImportStatus> {
    const status = await this.imports.status(id);
    if (!status || status.importedByUserId !== actor.userId) throw new NotFoundError('Import', id);
    return status;
  }

  /**
   * Asks for the import's valid rows to be filed (`ImportCommitRunner` files them in the background, each row's
   * outcome recorded as it goes) and answers the import with its commit running, or, asked again while it runs, as
   * it stands. A commit after one that is done files again, and finds filed what was filed.
   */
  async commit(id: string, actor: Actor): Promise<ImportView> {
    await this.get(id, actor);
    await this.imports.requestCommit(id, actor, this.clock.now().toISOString());
    this.runner.start(id);
    return this.get(id, actor);
  }
}

function viewOf(stored: StoredImport): ImportView {
  const valid = stored.rows.filter((row) => row.problems.length === 0).length;
  return { ...stored, counts: { rows: stored.rows.length, valid, invalid: stored.rows.length - valid } };
}
