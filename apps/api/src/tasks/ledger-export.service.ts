import { Injectable } from '@nestjs/common';
import { Actor } from '@zhenggai/domain';
import type { TaskRow } from '@zhenggai/read-models';
import { ProblemException } from '../http/problem-details';
import { ReadModelsService, TaskListQueryDto } from '../views';
import { ledgerCsv, ledgerXlsx } from './ledger';

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
    const stamp = asOf.slice(0, 10);
    if (format === 'csv')
      return { body: ledgerCsv(tasks), contentType: 'text/csv; charset=utf-8', fileName: `整改台账-${stamp}.csv` };
    return {
      body: await ledgerXlsx(tasks, `整改台账（截至 ${asOf}）`),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      fileName: `整改台账-${stamp}.xlsx`,
    };
  }
}
