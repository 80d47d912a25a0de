import type { FastifyInstance } from 'fastify';
import { registerUploadParser } from '../http/uploaded-body';

/** The content types a 问题清单 may come as (and application/octet-stream, which the evidence parser takes). */
export const SPREADSHEET_CONTENT_TYPES = [
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/csv',
  // What Windows names a .csv file by when Excel is installed.
  'application/vnd.ms-excel',
] as const;

export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

/** Raw spreadsheet bodies, up to IMPORT_MAX_BYTES, as uploads like the evidence files. */
export function registerSpreadsheetBodyParser(fastify: FastifyInstance): void {
  registerUploadParser(fastify, SPREADSHEET_CONTENT_TYPES, IMPORT_MAX_BYTES);
}
