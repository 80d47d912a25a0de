import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommittedRow, nameBasedId, PreviewRow } from '@zhenggai/application';
import { Actor, DomainError } from '@zhenggai/domain';
import { CommandContext } from '../commands/command-context';
import { AssignTaskCommand, FileFindingCommand } from '../findings';

/**
 * Files a previewed row through the CommandBus as the ordinary commands, by the inspector who committed it, with the
 * import's id as correlation id. A row is one command however often it is filed (its ids from the row's content,
 * whatever file it came in): filed again, after a crash half-way or from the list fixed and imported again, it is
 * found as filed.
 */
@Injectable()
export class ProblemListRowFiler {
  constructor(private readonly commands: CommandBus) {}

  async file(importId: string, row: PreviewRow, actor: Actor): Promise<CommittedRow> {
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
