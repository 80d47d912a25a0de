// A small projection for the runner's tests: per stream, how many `Counted` events and the sum of their
// amounts, so that an event applied twice or lost shows in the rows. Events of other types are not taken.
import type { PreparedProjectionBatch, Projection, ProjectionSql, StoredEvent } from '@zhenggai/application';

export interface CountingProjectionOptions {
  readonly name: string;
  /** Called inside the batch's transaction after its rows are written (to throw, hang or record). */
  readonly afterWrite?: (events: readonly StoredEvent[], schema: string) => void | Promise<void>;
  /**
   * With `prepare` (a runner far behind then works the next batch out while this one is written): each batch's totals
   * are worked out ahead, from the stored rows or what the batch before carried, and written as they are, so that a
   * carry handed on wrongly (after a failed batch, or to any but the very next) shows in the rows. Told, at each
   * prepare, whether it was handed a carry.
   */
  readonly prepares?: (carried: boolean) => void;
  /** With a read index (`counts_by_total`, on the totals), which a generation gets once caught up. */
  readonly readIndex?: boolean;
}

type Totals = Map<string, { events: number; total: number }>;

export interface CountRow {
  readonly stream_name: string;
  readonly events: number;
  readonly total: number;
}

export const COUNTED = 'Counted';
export const COUNTS_BY_TOTAL = 'counts_by_total';

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
    ...(options.readIndex && {
      readIndexes: (schema: string) => [{ name: COUNTS_BY_TOTAL, on: `ON "${schema}".counts (total)` }],
    }),
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
    ...(options.prepares && {
      async prepare(sql, schema, events, carried) {
        options.prepares!(carried !== undefined);
        const totals = await totalsBefore(sql, schema, events, carried as Totals | undefined);
        for (const event of events) {
          const row = totals.get(event.streamName)!;
          row.events += 1;
          row.total += Number(event.data.amount);
        }
        const rows = [...totals].map(([stream_name, row]) => ({ stream_name, ...row }));
        const prepared: PreparedProjectionBatch = {
          carry: new Map([...totals].map(([stream, row]) => [stream, { ...row }])),
          async write(write) {
            await write.query(
              `INSERT INTO "${schema}".counts AS c (stream_name, events, total)
               SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(stream_name text, events integer, total bigint)
               ON CONFLICT (stream_name) DO UPDATE SET events = EXCLUDED.events, total = EXCLUDED.total`,
              [JSON.stringify(rows)],
            );
            await options.afterWrite?.(events, schema);
          },
        };
        return prepared;
      },
    }),
  };
}

/** The batch's streams' totals before it: carried over from the batch before, or as stored. */
async function totalsBefore(
  sql: ProjectionSql,
  schema: string,
  events: readonly StoredEvent[],
  carried: Totals | undefined,
): Promise<Totals> {
  const totals: Totals = new Map();
  const streams = [...new Set(events.map((e) => e.streamName))];
  for (const stream of streams) {
    const row = carried?.get(stream);
    if (row) totals.set(stream, { ...row });
  }
  const toRead = streams.filter((stream) => !totals.has(stream));
  const { rows } = await sql.query<{ stream_name: string; events: number; total: string }>(
    `SELECT stream_name, events, total FROM "${schema}".counts WHERE stream_name = ANY($1::text[])`,
    [toRead],
  );
  for (const row of rows) totals.set(row.stream_name, { events: row.events, total: Number(row.total) });
  for (const stream of toRead) if (!totals.has(stream)) totals.set(stream, { events: 0, total: 0 });
  return totals;
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
