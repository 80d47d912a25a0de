import type ExcelJS from 'exceljs';
import { excel } from '../http/exceljs';
import { ProblemException } from '../http/problem-details';
import { csvRows } from './csv-text';

/** A sheet as text: each row's cells in column order, with the row's number as the spreadsheet shows it. */
export interface SheetText {
  readonly format: 'xlsx' | 'csv';
  readonly rows: ReadonlyArray<{ readonly rowNumber: number; readonly cells: readonly string[] }>;
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const notASpreadsheet = (detail: string) =>
  ProblemException.of(400, 'IMPORT_NOT_A_SPREADSHEET', 'The file is not a spreadsheet', detail);

/**
 * The first sheet of an XLSX workbook (the one named 问题清单 when there is one), or a CSV file as Excel saves it:
 * UTF-8 with or without a byte-order mark, or GB 18030 (Excel's 「CSV（逗号分隔）」 on a Chinese Windows).
 * Anything else is refused as not a spreadsheet, saying what it is where that is known.
 */
export async function readSpreadsheet(bytes: Buffer): Promise<SheetText> {
  if (bytes.subarray(0, 4).equals(ZIP)) return readXlsx(bytes);
  if (bytes.subarray(0, 4).equals(OLE)) {
    throw notASpreadsheet('the file is an Excel 97-2003 workbook (.xls): save it as .xlsx, or download the template');
  }
  if (bytes.includes(0)) throw notASpreadsheet('the file is neither an XLSX workbook nor a CSV text');
  const body = bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    text = new TextDecoder('gb18030').decode(body);
  }
  return { format: 'csv', rows: csvRows(text) };
}

async function readXlsx(bytes: Buffer): Promise<SheetText> {
  const workbook = new (excel().Workbook)();
  try {
    await workbook.xlsx.load(bytes as never);
  } catch {
    throw notASpreadsheet('the file is a ZIP archive but not an XLSX workbook that can be read');
  }
  const sheet = workbook.getWorksheet('问题清单') ?? workbook.worksheets[0];
  if (!sheet) throw notASpreadsheet('the workbook has no sheet');
  const rows: Array<{ rowNumber: number; cells: string[] }> = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = cellText(cell.value);
    });
    rows.push({ rowNumber, cells: Array.from(cells, (cell) => cell ?? '') });
  });
  return { format: 'xlsx', rows };
}

/** A cell's value as the person sees it; a date cell as its calendar day (Excel keeps dates without a zone). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
    return '';
  }
  return String(value);
}
