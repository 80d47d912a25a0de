import { columnLabel, columnsOfHeader, PROBLEM_LIST_COLUMNS, ProblemListRow } from '@zhenggai/application';
import { ProblemException } from '../http/problem-details';
import { SheetText } from './spreadsheet-file';

/** At most this many problems in one file: a tour's list is dozens or hundreds. */
export const IMPORT_MAX_ROWS = 2000;
/** The header row is looked for among the first rows (a title and a date line may stand above it). */
const HEADER_SEARCH_ROWS = 10;

/** The template's example row says so in its 序号, and is not imported. */
export const EXAMPLE_ROW_MARK = '示例';

/**
 * The data rows of a 问题清单 sheet under its header row, each cell under the column its heading names. Refuses a
 * sheet without the required columns, one without rows, and one with more than IMPORT_MAX_ROWS.
 */
export function problemListRows(sheet: SheetText): ProblemListRow[] {
  const candidates = sheet.rows.slice(0, HEADER_SEARCH_ROWS).map((row, index) => ({
    index,
    ...columnsOfHeader(row.cells),
  }));
  const header = candidates
    .filter((c) => Object.keys(c.at).length >= 3)
    .sort((a, b) => a.missing.length - b.missing.length || a.index - b.index)[0];
  if (!header || header.missing.length > 0) {
    const missing = header?.missing ?? PROBLEM_LIST_COLUMNS.filter((c) => c.required).map((c) => columnLabel(c.key));
    throw ProblemException.of(
      400,
      'IMPORT_MISSING_COLUMNS',
      'The file lacks required columns',
      `no header row names the columns ${missing.join('、')} (download the template: GET /api/imports/template)`,
      { missingColumns: missing },
    );
  }
  const rows: ProblemListRow[] = [];
  for (const { rowNumber, cells } of sheet.rows.slice(header.index + 1)) {
    const values: Record<string, string> = {};
    for (const [key, index] of Object.entries(header.at)) values[key] = (cells[index] ?? '').trim();
    if (Object.values(values).every((value) => value === '')) continue;
    if ((values.number ?? '').startsWith(EXAMPLE_ROW_MARK)) continue;
    rows.push({ rowNumber, values });
  }
  if (rows.length === 0) {
    throw ProblemException.of(
      400,
      'IMPORT_NO_ROWS',
      'The file lists no problems',
      'no row under the header is filled in',
    );
  }
  if (rows.length > IMPORT_MAX_ROWS) {
    throw ProblemException.of(
      400,
      'IMPORT_TOO_MANY_ROWS',
      'The file lists too many problems',
      `the file has ${rows.length} rows of problems, more than ${IMPORT_MAX_ROWS}: split it into several files`,
      { maxRows: IMPORT_MAX_ROWS, rows: rows.length },
    );
  }
  return rows;
}
