import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ProjectionWriteSql } from '@zhenggai/application';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * A projection's writes through `db`: its statements as they are, and `copyRows` as `COPY … FROM STDIN` in the text
 * format. Inside a transaction, give its client: the rows commit with it. Given a pool (the tests' plain runner), each
 * COPY takes a connection of its own and commits by itself.
 */
export function projectionWriteSql(db: Pool | PoolClient): ProjectionWriteSql {
  return {
    query: <R>(text: string, values?: readonly unknown[]) =>
      db.query(text, values as unknown[]) as unknown as Promise<{ rows: R[]; rowCount: number | null }>,
    async copyRows(table, columns, rows) {
      if (rows.length === 0) return 0;
      const client = 'release' in db ? db : await db.connect();
      try {
        const copy = client.query(copyFrom(`COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
        await pipeline(Readable.from(copyChunks(columns, rows)), copy);
        return copy.rowCount;
      } finally {
        if (client !== db) client.release();
      }
    },
  };
}

const ROWS_PER_CHUNK = 500;

/**
 * The rows in COPY's text format, a few hundred rows to a buffer. Each row is encoded on its own: a string of many
 * rows, once it holds one character beyond Latin-1 (a Chinese title), takes several times longer to encode.
 */
function* copyChunks(columns: readonly string[], rows: readonly object[]): Generator<Buffer> {
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const lines: Buffer[] = [];
    for (const row of rows.slice(start, start + ROWS_PER_CHUNK) as ReadonlyArray<Readonly<Record<string, unknown>>>) {
      let line = '';
      for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : '\t') + copyField(row[columns[i]!]);
      lines.push(Buffer.from(line + '\n'));
    }
    yield Buffer.concat(lines);
  }
}

/** One value as COPY's text format reads it: `\N` for null, backslash, tab and line ends escaped. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return escaped(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    default:
      return escaped(Array.isArray(value) ? arrayLiteral(value) : JSON.stringify(value));
  }
}

/** An array of strings (or nulls) as PostgreSQL's array literal, each element quoted. */
function arrayLiteral(values: readonly unknown[]): string {
  const element = (v: unknown) => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/["\\]/g, '\\$&')}"`);
  return `{${values.map(element).join(',')}}`;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escaped(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}
