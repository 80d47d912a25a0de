import { Client } from 'pg';
import { BUILT, BuiltProcess, demoDatabase, startBuiltProcess } from '../support/built-process';
import { eventually, HttpClient } from '../support/http-client';
import { holdImportCommits } from '../support/import-commit-hold';
import { closedAfterThisFile } from '../support/opened-for-this-file';
import { TestDatabase } from '../support/test-database';

const JWT_SECRET = 'import-restart-secret-that-is-long-enough-0123456789';
const ROWS = 40;
/** A Beijing date some months ahead of the built process's (real) clock. */
const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

/** A 问题清单 of `ROWS` rows for 王堰镇, each its own problem, and one row with an unknown unit (skipped). */
function problemList(): Buffer {
  const header = '序号,地点,问题类别,问题描述,严重程度,责任单位,整改期限,整改措施';
  const deadline = inDays(120);
  const rows = Array.from(
    { length: ROWS },
    (_, i) => `${i + 1},王堰镇/蔡郢村,危房改造,重启前后导入的第${i + 1}户危房,一般,王堰镇人民政府,${deadline},拆除`,
  );
  rows.push(`${ROWS + 1},王堰镇/蔡郢村,危房改造,责任单位有误的危房,一般,不存在的单位,${deadline},拆除`);
  return Buffer.from([header, ...rows].join('\r\n') + '\r\n', 'utf8');
}

/**
 * Issue 21: an import's commit survives a restart half-way. The API process is killed (SIGKILL) at a step: ten rows
 * recorded, the next ones filed and their outcomes not yet recorded (a trigger holds the writes). Another process
 * started on the same database takes the commit up and files every valid row exactly once.
 */
describe('问题清单 import: a commit cut off by a killed process', () => {
  const held: { database?: TestDatabase; first?: BuiltProcess; second?: BuiltProcess; db?: Client } = {};

  beforeAll(async () => {
    held.database = await demoDatabase(JWT_SECRET);
    const db = new Client({ connectionString: held.database.url, application_name: 'zhenggai-tests' });
    db.on('error', () => undefined);
    await closedAfterThisFile(
      db.connect().then(() => db),
      (opened) => opened.end(),
    );
    held.db = db;
  }, 180_000);

  afterAll(async () => {
    await Promise.all([held.first?.stop(5_000), held.second?.stop(5_000)]);
    await held.db?.end().catch(() => undefined);
    await held.database?.drop();
  });

  it('is resumed by the next process from the rows not yet recorded, and no row is filed twice', async () => {
    const database = held.database!;
    const db = held.db!;
    const settings = { DATABASE_URL: database.url, JWT_SECRET };
    const first = (held.first = await startBuiltProcess(BUILT.api, settings));
    const login = await first.http!.post('/api/auth/login', { username: 'inspector', password: 'rectify-demo' });
    const token = login.body.accessToken as string;
    const preview = await fetch(`${first.http!.baseUrl}/api/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: problemList(),
    });
    expect(preview.status).toBe(201);
    const importId = ((await preview.json()) as { id: string }).id;
    const filedPerRow = async () =>
      (
        await db.query<{ title: string; count: number }>(
          `SELECT data->>'title' AS title, count(*)::int AS count FROM events
           WHERE type = $1 AND metadata->>'correlationId' = $2 GROUP BY 1`,
          ['FindingFiled', importId],
        )
      ).rows;

    const hold = await holdImportCommits(database.url, 10);
    const asked = await first.http!.as(token).post(`/api/imports/${importId}/commit`, {});
    expect(asked.status).toBe(202);
    expect(asked.body.commit).toMatchObject({ status: 'running', total: ROWS + 1 });
    const waiting = await hold.reached();
    const halfway = await first.http!.as(token).get(`/api/imports/${importId}`);
    expect(halfway.body.commit).toMatchObject({ status: 'running', processed: 10, total: ROWS + 1 });

    // Killed there: rows beyond the tenth are filed, their outcomes not recorded. Its session waits on the server until
    // it is ended (as TCP would end it after a while), which also gives up the commit's lock.
    expect(await first.kill('SIGKILL')).toBeNull();
    await db.query('SELECT pg_terminate_backend($1)', [waiting]);
    await hold.release();
    // Rows are filed a few at a time: the one held and those filed beside it have no outcome.
    expect((await filedPerRow()).length).toBeGreaterThan(10);
    const { rows: recorded } = await db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM problem_list_import_outcomes WHERE import_id = $1',
      [importId],
    );
    expect(recorded[0]!.count).toBe(10);

    const second = (held.second = await startBuiltProcess(BUILT.api, settings));
    const inspector: HttpClient = second.http!.as(token);
    const done = await eventually(
      async () => {
        const answer = await inspector.get(`/api/imports/${importId}`);
        return answer.body.commit?.status === 'done' ? answer : undefined;
      },
      180_000,
      250,
    );
    expect(done.body.commit).toMatchObject({ status: 'done', processed: ROWS + 1, total: ROWS + 1 });
    const outcomes = done.body.commit.rows as Array<{ rowNumber: number; status: string; findingId?: string }>;
    expect(outcomes.map((row) => row.rowNumber)).toEqual(Array.from({ length: ROWS + 1 }, (_, i) => i + 2));
    expect(outcomes.filter((row) => row.status === 'filed').length).toBe(ROWS);
    expect(outcomes[ROWS]).toEqual({ rowNumber: ROWS + 2, status: 'skipped' });
    expect(new Set(outcomes.map((row) => row.findingId).filter(Boolean)).size).toBe(ROWS);

    // Every valid row filed once: one FindingFiled and one RectificationTaskAssigned each, none for the skipped row.
    const perRow = await filedPerRow();
    expect(perRow.length).toBe(ROWS);
    expect(perRow.every((row) => row.count === 1)).toBe(true);
    const { rows: assigned } = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM events WHERE type = 'RectificationTaskAssigned'
       AND metadata->>'correlationId' = $1`,
      [importId],
    );
    expect(assigned[0]!.count).toBe(ROWS);
  }, 600_000);
});
