import { ProjectionSql } from '@zhenggai/application';

/**
 * Adds a batch's `deltas` to a table of counts (one row per `key`, the `add` columns summed), and deletes by their keys
 * the rows left `emptied` (a condition on the row): only rows the batch added to can have been emptied by it, and a
 * look by key leaves the table with no index but its key, so the additions are HOT updates in the room the table's
 * fill factor leaves on each page.
 */
export async function addToCounts(
  sql: ProjectionSql,
  table: string,
  counts: { key: readonly string[]; add: readonly string[]; emptied: string; deltas: readonly object[] },
): Promise<void> {
  const { key, add, emptied, deltas } = counts;
  const {
    rows: [{ rows }],
  } = await sql.query<{ rows: string | null }>(
    `WITH added AS (
       INSERT INTO ${table} AS c SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)
       ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${add.map((a) => `${a} = c.${a} + EXCLUDED.${a}`).join(', ')}
       RETURNING *)
     SELECT json_agg(added)::text AS rows FROM added WHERE ${emptied}`,
    [JSON.stringify(deltas)],
  );
  if (rows === null) return;
  await sql.query(
    `DELETE FROM ${table} c USING json_populate_recordset(NULL::${table}, $1::json) e
      WHERE (${key.map((k) => `c.${k}`).join(', ')}) = (${key.map((k) => `e.${k}`).join(', ')})`,
    [rows],
  );
}
