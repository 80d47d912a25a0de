import type ExcelJS from 'exceljs';

let loaded: typeof ExcelJS | undefined;

/**
 * exceljs, loaded on first use (an export, an import, the import template): loading it takes a quarter of a second and
 * some 30 MB of resident memory, which a process that never reads or writes a workbook should not pay at its start.
 */
export function excel(): typeof ExcelJS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('exceljs') as typeof ExcelJS);
}
