import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  CLOCK,
  Clock,
  CommittedRow,
  ID_GENERATOR,
  IdGenerator,
  IMPORT_STORE,
  ImportStore,
  nameBasedId,
  PreviewRow,
  previewProblemList,
  StoredImport,
  USE_CASE_DEPS,
  UseCaseDeps,
} from '@zhenggai/application';
import { Actor, DomainError, NotFoundError, shanghaiDateOf } from '@zhenggai/domain';
import { CommandContext } from '../commands/command-context';
import { AssignTaskCommand, FileFindingCommand } from '../findings';
import { UploadedBody } from '../http/uploaded-body';
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
    private readonly commands: CommandBus,
  ) {}

  async preview(file: UploadedBody, fileName: string | null, actor: Actor): Promise<ImportView> {
    const sheet = await readSpreadsheet(file.bytes);
    const now = this.clock.now();
    const rows = await previewProblemList(
      this.deps,
      { actor, today: shanghaiDateOf(now), fileSha256: file.sha256, fileName },
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

  /**
   * Files the import's valid rows through the CommandBus as the ordinary commands, by the inspector who imported
   * it, each with the import's id as correlation id. A row is one command however often it is committed (its id
   * from the row's content, whatever file it came in): a commit again, of the list fixed and imported again, or after a
   * crash half-way, finds what was filed and files the rest.
   */
  async commit(id: string, actor: Actor): Promise<ImportView> {
    const stored = await this.get(id, actor);
    const rows: CommittedRow[] = [];
    for (const row of stored.rows) rows.push(await this.commitRow(stored.id, row, actor));
    const commit = { at: this.clock.now().toISOString(), rows };
    await this.imports.recordCommit(stored.id, commit);
    return viewOf({ ...stored, commit });
  }

  private async commitRow(importId: string, row: PreviewRow, actor: Actor): Promise<CommittedRow> {
    const { finding } = row;
    if (row.problems.length > 0 || !finding.region || !finding.category || !finding.severity || !finding.title) {
      return { rowNumber: row.rowNumber, status: 'skipped' };
    }
    const context = (commandId: string): CommandContext => ({
      actor,
      commandId,
      correlationId: importId,
      expectedRevision: undefined,
    });
    try {
      const filed = await this.commands.execute(
        new FileFindingCommand(context(row.key), {
          title: finding.title,
          description: finding.description,
          regionId: finding.region.id,
          category: finding.category.code,
          severity: finding.severity,
          source: finding.source,
          evidence: [],
        }),
      );
      const taskIds: string[] = [];
      for (const [i, task] of row.tasks.entries()) {
        const assigned = await this.commands.execute(
          new AssignTaskCommand(context(nameBasedId('problem-list-task', `${row.key}\n${i}`)), {
            findingId: filed.id,
            leadUnitId: task.leadUnit!.id,
            cooperatingUnitIds: task.cooperatingUnits.map((unit) => unit.id),
            deadline: task.deadline!,
            measures: task.measures!,
            target: task.target,
            campaignId: null,
            title: null,
          }),
        );
        taskIds.push(assigned.id);
      }
      return { rowNumber: row.rowNumber, status: 'filed', findingId: filed.id, taskIds };
    } catch (error) {
      // What the commands refuse now (a deadline passed since the preview, a unit gone) is the row's; the rest is not.
      if (!(error instanceof DomainError)) throw error;
      return { rowNumber: row.rowNumber, status: 'failed', code: error.code, detail: error.message };
    }
  }
}

function viewOf(stored: StoredImport): ImportView {
  const valid = stored.rows.filter((row) => row.problems.length === 0).length;
  return { ...stored, counts: { rows: stored.rows.length, valid, invalid: stored.rows.length - valid } };
}
