// A small projection for the runner's tests: per stream, how many `Counted` events and the sum of their
// amounts, so that an event applied twice or lost shows in the rows. Events of other types are not taken.
import type { Projection, StoredEvent } from '@zhenggai/application';

export interface CountingProjectionOptions {
  readonly name: string;
  /** Called inside the batch's transaction after its rows are written (to throw, hang or record). */
  readonly afterWrite?: (events: readonly StoredEvent[], schema: string) => void | Promise<void>;
}

export interface CountRow {
  readonly stream_name: string;
  readonly events: number;
  readonly total: number;
}

export const COUNTED = 'Counted';

export function countingProjection(options: CountingProjectionOptions): Projection {
  return {
    name: options.name,
    eventTypePrefixes: [COUNTED],
    async setup(sql, schema) {
      await sql.query(`
        CREATE TABLE "${schema}".counts (
          stream_name text PRIMARY KEY,
          events integer NOT NULL,
          total bigint NOT NULL
        )`);
    },
    views(schema) {
      // The generation's schema as a column, so that readers can tell which generation answered.
      return [{ name: `${options.name}_counts`, select: `SELECT *, '${schema}' AS served_by FROM "${schema}".counts` }];
    },
    async apply(sql, schema, events) {
      const rows = events.map((event) => ({ stream_name: event.streamName, amount: Number(event.data.amount) }));
      await sql.query(
        `INSERT INTO "${schema}".counts AS c (stream_name, events, total)
         SELECT stream_name, count(*), sum(amount) FROM jsonb_to_recordset($1::jsonb) AS r(stream_name text, amount
           bigint)
         GROUP BY stream_name
         ON CONFLICT (stream_name) DO UPDATE SET events = c.events + EXCLUDED.events, total = c.total + EXCLUDED.total`,
        [JSON.stringify(rows)],
      );
      await options.afterWrite?.(events, schema);
    },
  };
}

/** The rows the projection must hold after `events`, computed without it. */
export function expectedCounts(events: readonly StoredEvent[]): CountRow[] {
  const byStream = new Map<string, { events: number; total: number }>();
  for (const event of events) {
    if (event.type !== COUNTED) continue;
    const row = byStream.get(event.streamName) ?? { events: 0, total: 0 };
    row.events += 1;
    row.total += Number(event.data.amount);
    byStream.set(event.streamName, row);
  }
  return [...byStream]
    .map(([stream_name, row]) => ({ stream_name, ...row }))
    .sort((a, b) => (a.stream_name < b.stream_name ? -1 : 1));
}
