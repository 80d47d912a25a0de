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

/** How many bytes of rows are sent to the server at a time (a row longer than this goes in a chunk of its own). */
const CHUNK_BYTES = 256 * 1024;

/**
 * The rows in COPY's text format, in buffers of about `CHUNK_BYTES`. Each row is encoded on its own: a string of many
 * rows, once it holds one character beyond Latin-1 (a Chinese title), takes several times longer to encode. It is
 * encoded where it goes in the chunk, not into a buffer of its own then copied into the chunk (a catch-up copies
 * millions of rows, the task states among them a kilobyte or two each). (Writing each value where it goes, without
 * the row's string, was slower: a call into the encoder per value.)
 */
function* copyChunks(columns: readonly string[], rows: readonly object[]): Generator<Buffer> {
  // A few rows (most COPYs of a batch) need no more than a few hundred bytes each.
  let chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, rows.length * 512));
  let used = 0;
  for (const row of rows as ReadonlyArray<Readonly<Record<string, unknown>>>) {
    let line = '';
    for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : '\t') + copyField(row[columns[i]!]);
    line += '\n';
    // At most three bytes of UTF-8 for each UTF-16 unit of the string.
    if (chunk.length - used < line.length * 3) {
      if (used > 0) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length * 3));
      used = 0;
    }
    used += chunk.write(line, used);
  }
  if (used > 0) yield chunk.subarray(0, used);
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
