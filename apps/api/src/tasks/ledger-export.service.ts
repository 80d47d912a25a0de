import { Inject, Injectable, Logger } from '@nestjs/common';
import { Actor, shanghaiDateOf } from '@zhenggai/domain';
import { PassThrough, Readable } from 'node:stream';
import { ProblemException } from '../http/problem-details';
import { LEDGER_MAX_ROWS } from '../infrastructure/tokens';
import { LedgerReading, ReadModelsService, TaskListQueryDto } from '../views';
import { ledgerCsv, LedgerWriter, ledgerXlsx } from './ledger';

/** Tasks read (their ledger rows) and written at a time: what the export holds in memory. */
const CHUNK = 500;

/**
 * 整改台账: the filtered task list (exactly what GET /api/tasks answers, every page) as XLSX or CSV, streamed. The ids
 * are read first, in the list's order, so a query over the limit is refused before anything is sent; then the ledger's
 * rows a chunk at a time, all as of the one instant the file is dated by, in one snapshot of the read models.
 */
@Injectable()
export class LedgerExportService {
  private readonly logger = new Logger(LedgerExportService.name);

  constructor(
    private readonly views: ReadModelsService,
    // A county's ledger fits many times over in the default 20,000; a runaway query does not.
    @Inject(LEDGER_MAX_ROWS) private readonly maxRows: number,
  ) {}

  async export(
    query: TaskListQueryDto,
    format: 'xlsx' | 'csv',
    actor: Actor,
  ): Promise<{ body: Readable; contentType: string; fileName: string }> {
    const ledger = await this.views.openLedger(query, actor, this.maxRows + 1);
    let body: PassThrough;
    let writer: LedgerWriter;
    try {
      if (ledger.ids.length > this.maxRows) {
        throw ProblemException.of(
          422,
          'EXPORT_TOO_LARGE',
          'Too many rows',
          `the filters match ${await ledger.total()} tasks; narrow them to at most ${this.maxRows}`,
        );
      }
      body = new PassThrough();
      writer = format === 'csv' ? ledgerCsv(body) : ledgerXlsx(body, ledger.ids.length, ledger.asOf.toISOString());
    } catch (error) {
      await ledger.close();
      throw error;
    }
    void this.write(writer, ledger, body);
    // Named for the day in Beijing: an export at 01:00 on 2 December is 2 December's ledger, not UTC's 1 December.
    const fileName = `整改台账-${shanghaiDateOf(ledger.asOf.toISOString())}.${format}`;
    if (format === 'csv') return { body, contentType: 'text/csv; charset=utf-8', fileName };
    return { body, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName };
  }

  private async write(writer: LedgerWriter, ledger: LedgerReading, body: PassThrough): Promise<void> {
    try {
      const read = () => ledger.rows(CHUNK);
      // The next chunk is fetched while this one is written: the database and the writer work at the same time.
      let next = read();
      next.catch(() => undefined); // reported where it is awaited
      for (let from = 0; from < ledger.ids.length && !body.destroyed; from += CHUNK) {
        const tasks = await next;
        if (from + CHUNK < ledger.ids.length) {
          next = read();
          next.catch(() => undefined); // reported where it is awaited, or not at all once the export has ended
        }
        await writer.write(tasks);
      }
      if (!body.destroyed) await writer.end();
    } catch (error) {
      // The status and headers are gone by now: the download breaks off rather than ending as a whole file.
      this.logger.error(`整改台账 export failed after it began: ${(error as Error).message}`);
      body.destroy(error as Error);
    } finally {
      await ledger.close();
    }
  }
}
