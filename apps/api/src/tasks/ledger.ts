import { TASK_STATUS_LABELS, TaskStatus } from '@zhenggai/domain';
import type { LedgerRow, Light } from '@zhenggai/read-models';
import { CellStyle, columnName, drainedOrGone, XlsxSheetWriter } from './xlsx-sheet';
import type { Writable } from 'node:stream';

const LIGHT_LABELS: Record<Light, string> = {
  green: '绿灯',
  yellow: '黄灯',
  red: '红灯（逾期）',
  closed_on_time: '按期销号',
  closed_late: '逾期销号',
  cancelled: '已撤销',
};

/** A cell: text, a number, or a calendar day (`day`, YYYY-MM-DD, already in Beijing time). */
type Cell = string | number | { day: string } | null;

const day = (date: string | null): Cell => (date ? { day: date } : null);

/** The columns of the 整改台账, in order: heading, width and how each task fills it. */
const COLUMNS: ReadonlyArray<{
  header: string;
  width: number;
  wrap?: true;
  value: (t: LedgerRow, i: number) => Cell;
}> = [
  { header: '序号', width: 6, value: (_, i) => i + 1 },
  { header: '任务编号', width: 15, value: (t) => t.number },
  { header: '整改任务', width: 30, wrap: true, value: (t) => t.title },
  { header: '问题类别', width: 12, value: (t) => t.category },
  { header: '地区', width: 10, value: (t) => t.region },
  { header: '专项行动', width: 16, wrap: true, value: (t) => t.campaign },
  // 逐级分解: where the task stands in its tree, so a county's ledger reads as the chain it hands up.
  { header: '层级', width: 6, value: (t) => t.depth },
  { header: '上级任务', width: 24, wrap: true, value: (t) => t.parentTitle },
  { header: '责任单位', width: 20, wrap: true, value: (t) => t.leadUnit },
  { header: '责任人', width: 10, value: (t) => t.responsible },
  { header: '联系方式', width: 14, value: (t) => t.contact },
  { header: '配合单位', width: 20, wrap: true, value: (t) => t.cooperatingUnits },
  { header: '整改措施', width: 36, wrap: true, value: (t) => t.measures },
  { header: '整改方案', width: 36, wrap: true, value: (t) => t.plan },
  { header: '目标量', width: 9, value: (t) => t.targetQuantity },
  { header: '完成量', width: 9, value: (t) => t.quantityDone },
  { header: '计量单位', width: 8, value: (t) => t.targetUnit },
  { header: '最新进展', width: 36, wrap: true, value: (t) => t.latestProgress },
  // Days in Beijing: a task assigned at 01:00 on 2 December there was assigned on 2 December, not UTC's 1 December.
  { header: '交办日期', width: 11, value: (t) => day(t.assignedOn) },
  { header: '整改期限', width: 11, value: (t) => day(t.deadline) },
  { header: '原定期限', width: 11, value: (t) => day(t.originalDeadline) },
  { header: '状态', width: 8, value: (t) => TASK_STATUS_LABELS[t.status as TaskStatus] ?? t.status },
  { header: '红黄绿灯', width: 12, value: (t) => LIGHT_LABELS[t.light] ?? t.light },
  { header: '退回次数', width: 8, value: (t) => t.sendBackCount },
  { header: '办结日期', width: 11, value: (t) => day(t.closedOn) },
  { header: '任务ID', width: 38, value: (t) => t.id },
];

/** The headings of the ledger, in order (the XLSX's header row and the CSV's first line). */
export const LEDGER_HEADERS: readonly string[] = COLUMNS.map((c) => c.header);

/** 截至2026年12月2日 14:30: an instant as a Beijing office writes it. */
export function asOfLabel(instant: string): string {
  const [date, time] = new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().split('T');
  const [y, m, d] = date!.split('-').map(Number);
  return `截至${y}年${m}月${d}日 ${time!.slice(0, 5)}`;
}

/** Writes the ledger to a stream as its tasks come, a chunk at a time, numbering them on from the chunk before. */
export interface LedgerWriter {
  write(tasks: readonly LedgerRow[]): Promise<void>;
  /** Closes the file and ends the stream. */
  end(): Promise<void>;
}

/**
 * CSV as Excel opens it in China: UTF-8 with a byte-order mark, CRLF, every text cell quoted, days as YYYY-MM-DD; a
 * cell that a spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe. The same columns as the
 * XLSX, without its title rows.
 */
export function ledgerCsv(out: Writable): LedgerWriter {
  const cell = (value: Cell) => {
    if (value === null) return '';
    if (typeof value === 'number') return String(value);
    if (typeof value === 'object') return value.day;
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return `"${safe.replace(/"/g, '""')}"`;
  };
  const line = (cells: readonly Cell[]) => `${cells.map(cell).join(',')}\r\n`;
  let written = 0;
  let text = `\uFEFF${line(LEDGER_HEADERS)}`;
  return {
    async write(tasks) {
      for (const task of tasks) {
        text += line(COLUMNS.map((c) => c.value(task, written)));
        written++;
      }
      if (!out.write(text)) await drainedOrGone(out, out);
      text = '';
    },
    async end() {
      out.end(text);
    },
  };
}

const HEADER_ROW = 3;

/**
 * The ledger an office files, written row by row to `out`: its name, as-of time (Beijing) and number of tasks
 * (`count`) above, the header frozen with filters on it, days as date cells, printed on A4 landscape fitted to the
 * width with the header repeated on every page.
 */
export function ledgerXlsx(out: Writable, count: number, asOf: string): LedgerWriter {
  const last = columnName(COLUMNS.length - 1);
  const sheet = new XlsxSheetWriter(out, {
    name: '整改台账',
    creator: '整改',
    created: asOf,
    widths: COLUMNS.map((column) => column.width),
    frozen: { columns: 3, rows: HEADER_ROW },
    merges: [`A1:${last}1`, `A2:${last}2`],
    autoFilter: `A${HEADER_ROW}:${last}${HEADER_ROW + count}`,
    printTitleRow: HEADER_ROW,
    footer: '第 &P 页，共 &N 页',
  });
  sheet.row([{ value: '整改台账', style: CellStyle.Title }]);
  sheet.row([{ value: `${asOfLabel(asOf)}　共 ${count} 项`, style: CellStyle.RightAligned }]);
  sheet.row(LEDGER_HEADERS.map((header) => ({ value: header, style: CellStyle.Header })));
  const styles = COLUMNS.map((column) => (column.wrap ? CellStyle.TopWrapped : CellStyle.Top));
  let written = 0;
  return {
    async write(tasks) {
      for (const task of tasks) {
        sheet.values(
          COLUMNS.map((column) => column.value(task, written)),
          styles,
          CellStyle.TopDay,
        );
        written++;
      }
      await sheet.flush();
    },
    end: () => sheet.end(),
  };
}
