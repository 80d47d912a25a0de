import { Injectable } from '@nestjs/common';
import { Actor, shanghaiDateOf } from '@zhenggai/domain';
import type { TaskRow } from '@zhenggai/read-models';
import { ProblemException } from '../http/problem-details';
import { ReadModelsService, TaskListQueryDto } from '../views';
import { LedgerTask, ledgerCsv, ledgerXlsx } from './ledger';

/** The most rows one export carries: a county's ledger fits many times over; a runaway query does not. */
export const LEDGER_MAX_ROWS = 20_000;
const PAGE_SIZE = 200;

/** 整改台账: the filtered task list (exactly what GET /api/tasks answers, every page) as XLSX or CSV. */
@Injectable()
export class LedgerExportService {
  constructor(private readonly views: ReadModelsService) {}

  async export(
    query: TaskListQueryDto,
    format: 'xlsx' | 'csv',
    actor: Actor,
  ): Promise<{ body: Buffer | string; contentType: string; fileName: string }> {
    const tasks: TaskRow[] = [];
    let asOf = '';
    for (let page = 1; ; page++) {
      const answer = await this.views.taskList({ ...query, page, pageSize: PAGE_SIZE }, actor);
      asOf = answer.asOf;
      if (answer.total > LEDGER_MAX_ROWS) {
        throw ProblemException.of(
          422,
          'EXPORT_TOO_LARGE',
          'Too many rows',
          `the filters match ${answer.total} tasks; narrow them to at most ${LEDGER_MAX_ROWS}`,
        );
      }
      tasks.push(...(answer.items as TaskRow[]));
      if (answer.items.length < PAGE_SIZE || tasks.length >= answer.total) break;
    }
    const details = await this.views.ledgerDetails(tasks, new Date(asOf));
    const ledger: LedgerTask[] = tasks.map((row) => ({ row, details: details.get(row.id)! }));
    // Named for the day in Beijing: an export at 01:00 on 2 December is 2 December's ledger, not UTC's 1 December.
    const stamp = shanghaiDateOf(asOf);
    if (format === 'csv')
      return { body: ledgerCsv(ledger), contentType: 'text/csv; charset=utf-8', fileName: `整改台账-${stamp}.csv` };
    return {
      body: await ledgerXlsx(ledger, asOf),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      fileName: `整改台账-${stamp}.xlsx`,
    };
  }
}
