import { Pool } from 'pg';
import { createTestDatabase } from '../../../../test/support/test-database';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { inTransaction } from './transaction';
import { projectionWriteSql } from './projection-write-sql';

describe('projectionWriteSql: rows appended by COPY', () => {
  let pool: Pool;

  beforeAll(async () => {
    const database = await createTestDatabase();
    pool = await closedAfterThisFile(Promise.resolve(new Pool({ connectionString: database.url, max: 3 })), (p) =>
      p.end(),
    );
    await pool.query(`CREATE TABLE copied (id integer PRIMARY KEY, title text, at timestamptz, done numeric,
      ok boolean, units uuid[], state jsonb, day date)`);
  });

  it('reads back every value as given: text with tabs, line ends and backslashes, nulls, arrays, JSON', async () => {
    const rows = [
      {
        id: 1,
        title: '蔡郢村\t危房\n"改造"\\清零\r',
        at: '2018-09-30T16:00:00.000Z',
        done: 217.5,
        ok: true,
        units: ['5b0c3a0e-6f1e-4c43-9c1e-1a2b3c4d5e6f', 'a7d1c0de-0000-4000-8000-000000000001'],
        state: { status: 'accepted', note: 'a\tb\\c\n"d"', subtasks: [{ share: 0.1 }] },
        day: '2018-09-30',
      },
      { id: 2, title: null, at: null, done: null, ok: false, units: [], state: null, day: undefined },
    ];
    const sql = projectionWriteSql(pool);
    expect(await sql.copyRows('copied', ['id', 'title', 'at', 'done', 'ok', 'units', 'state', 'day'], rows)).toBe(2);
    expect(await sql.copyRows('copied', ['id'], [])).toBe(0);

    const { rows: read } = await pool.query(
      `SELECT id, title, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
              done::float8 AS done, ok, units::text[] AS units, state, day::text AS day
         FROM copied ORDER BY id`,
    );
    expect(read).toEqual([
      { ...rows[0] },
      { id: 2, title: null, at: null, done: null, ok: false, units: [], state: null, day: null },
    ]);
  });

  it('reads back every row of a COPY longer than a chunk, and a row longer than one, Chinese and all', async () => {
    // 3,000 rows of about 400 bytes (many chunks, each filled to its last whole row), one of them of 300,000
    // characters (900,000 bytes of UTF-8: a chunk of its own).
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: 1000 + i,
      title: i === 1234 ? '危'.repeat(300_000) : `${'蔡郢村危房改造'.repeat(15)}\t${i}`,
      state: { i, note: '清零' },
    }));
    const sql = projectionWriteSql(pool);
    expect(await sql.copyRows('copied', ['id', 'title', 'state'], rows)).toBe(3000);

    const { rows: read } = await pool.query(
      'SELECT id, title, state FROM copied WHERE id >= 1000 AND id < 4000 ORDER BY id',
    );
    expect(read).toEqual(rows);
    await pool.query('DELETE FROM copied WHERE id >= 1000');
  });

  it("commits with the caller's transaction, and not without it", async () => {
    await expect(
      inTransaction(pool, async (client) => {
        await projectionWriteSql(client).copyRows('copied', ['id'], [{ id: 10 }, { id: 11 }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await inTransaction(pool, (client) => projectionWriteSql(client).copyRows('copied', ['id'], [{ id: 12 }]));
    const { rows } = await pool.query<{ id: number }>('SELECT id FROM copied WHERE id >= 10 ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([12]);
  });
});
