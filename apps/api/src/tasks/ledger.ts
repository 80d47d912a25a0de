import { TASK_STATUS_LABELS, TaskStatus } from '@zhenggai/domain';
import type { Light, TaskRow } from '@zhenggai/read-models';
import ExcelJS from 'exceljs';

const LIGHT_LABELS: Record<Light, string> = {
  green: '绿灯',
  yellow: '黄灯',
  red: '红灯（逾期）',
  closed_on_time: '按期销号',
  closed_late: '逾期销号',
  cancelled: '已撤销',
};

/** The columns of the 整改台账, in order: heading and how each task fills it. */
const COLUMNS: ReadonlyArray<{
  header: string;
  width: number;
  value: (task: TaskRow, index: number) => string | number | null;
}> = [
  { header: '序号', width: 6, value: (_, i) => i + 1 },
  { header: '整改任务', width: 36, value: (t) => t.title },
  // 逐级分解: where the task stands in its tree, so a county's ledger reads as the chain it hands up.
  { header: '层级', width: 6, value: (t) => t.depth },
  { header: '上级任务', width: 36, value: (t) => t.parentTitle },
  { header: '地区', width: 12, value: (t) => t.regionName },
  { header: '问题类别', width: 16, value: (t) => t.category },
  { header: '牵头单位', width: 22, value: (t) => t.leadUnitName },
  { header: '状态', width: 10, value: (t) => TASK_STATUS_LABELS[t.status as TaskStatus] ?? t.status },
  { header: '红黄绿灯', width: 12, value: (t) => LIGHT_LABELS[t.light] ?? t.light },
  { header: '整改期限', width: 12, value: (t) => t.deadline },
  { header: '原定期限', width: 12, value: (t) => t.originalDeadline },
  { header: '目标量', width: 10, value: (t) => t.target?.quantity ?? null },
  { header: '完成量', width: 10, value: (t) => t.quantityDone },
  { header: '计量单位', width: 8, value: (t) => t.target?.unit ?? null },
  { header: '退回次数', width: 8, value: (t) => t.sendBackCount },
  { header: '交办时间', width: 20, value: (t) => t.assignedAt },
  { header: '销号时间', width: 20, value: (t) => t.closedAt },
  { header: '任务编号', width: 38, value: (t) => t.id },
];

/** The ledger as rows of cells, the heading first. */
export function ledgerRows(tasks: readonly TaskRow[]): Array<Array<string | number | null>> {
  return [COLUMNS.map((c) => c.header), ...tasks.map((task, i) => COLUMNS.map((c) => c.value(task, i)))];
}

/**
 * CSV as Excel opens it in China: UTF-8 with a byte-order mark, CRLF, every text cell quoted; a cell that a
 * spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe.
 */
export function ledgerCsv(tasks: readonly TaskRow[]): string {
  const cell = (value: string | number | null) => {
    if (value === null) return '';
    if (typeof value === 'number') return String(value);
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return `"${safe.replace(/"/g, '""')}"`;
  };
  return `\uFEFF${ledgerRows(tasks)
    .map((row) => row.map(cell).join(','))
    .join('\r\n')}\r\n`;
}

export async function ledgerXlsx(tasks: readonly TaskRow[], title: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '整改';
  const sheet = workbook.addWorksheet('整改台账', { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.addRow([title]);
  sheet.mergeCells(1, 1, 1, COLUMNS.length);
  sheet.getRow(1).font = { bold: true, size: 14 };
  for (const row of ledgerRows(tasks)) sheet.addRow(row);
  sheet.getRow(2).font = { bold: true };
  COLUMNS.forEach((column, i) => (sheet.getColumn(i + 1).width = column.width));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
