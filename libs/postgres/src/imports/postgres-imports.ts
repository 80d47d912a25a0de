import {
  CommittedRow,
  ImportCommit,
  ImportCommitClaim,
  ImportStatus,
  ImportStore,
  PreviewRow,
  StoredImport,
} from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { Pool } from 'pg';
import { SessionLock } from '../projections/session-lock';

export const importMigrations = [
  {
    id: 'imports-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS problem_list_imports (
        id uuid PRIMARY KEY,
        file_name text,
        file_sha256 text NOT NULL,
        format text NOT NULL,
        imported_by_user_id text NOT NULL,
        imported_by_username text NOT NULL,
        imported_at timestamptz NOT NULL,
        rows jsonb NOT NULL,
        committed_at timestamptz,
        committed_rows jsonb
      );
      CREATE INDEX IF NOT EXISTS problem_list_imports_by_file ON problem_list_imports (file_sha256);`,
  },
  {
    // A commit runs in the background: asked for (running, by whom, since when), each row's outcome recorded as it
    // is filed, then done (committed_at, committed_rows as before).
    id: 'imports-002-commit-progress',
    sql: `
      ALTER TABLE problem_list_imports
        ADD COLUMN IF NOT EXISTS commit_status text,
        ADD COLUMN IF NOT EXISTS commit_started_at timestamptz,
        ADD COLUMN IF NOT EXISTS commit_actor jsonb;
      UPDATE problem_list_imports SET commit_status = 'done' WHERE committed_at IS NOT NULL AND commit_status IS NULL;
      CREATE INDEX IF NOT EXISTS problem_list_imports_running ON problem_list_imports (id)
        WHERE commit_status = 'running';
      CREATE TABLE IF NOT EXISTS problem_list_import_outcomes (
        import_id uuid NOT NULL REFERENCES problem_list_imports (id) ON DELETE CASCADE,
        row_number integer NOT NULL,
        outcome jsonb NOT NULL,
        PRIMARY KEY (import_id, row_number)
      );`,
  },
];

interface ImportRow {
  id: string;
  file_name: string | null;
  file_sha256: string;
  format: string;
  imported_by_user_id: string;
  imported_by_username: string;
  imported_at: Date;
  rows: PreviewRow[];
  committed_at: Date | null;
  committed_rows: CommittedRow[] | null;
  commit_status: 'running' | 'done' | null;
  commit_started_at: Date | null;
  commit_actor: Actor | null;
}

/** The advisory lock a commit's runner holds: a namespace of its own. */
const commitLockKeySql = (idExpression: string) => `hashtextextended('zhenggai.import.commit:' || ${idExpression}, 0)`;

/**
 * Previewed 问题清单 imports in PostgreSQL, one row each with its parsed rows as JSON; a running commit's row
 * outcomes in a table of their own, one row each, written as the rows are filed.
 */
export class PostgresImports implements ImportStore {
  constructor(private readonly pool: Pool) {}

  async save(stored: StoredImport): Promise<void> {
    await this.pool.query(
      `INSERT INTO problem_list_imports
         (id, file_name, file_sha256, format, imported_by_user_id, imported_by_username, imported_at, rows)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        stored.id,
        stored.fileName,
        stored.fileSha256,
        stored.format,
        stored.importedBy.userId,
        stored.importedBy.username,
        stored.importedAt,
        JSON.stringify(stored.rows),
      ],
    );
  }

  async get(id: string): Promise<StoredImport | null> {
    const found = await this.read(this.pool, id);
    return found?.stored ?? null;
  }

  async status(id: string): Promise<ImportStatus | null> {
    const { rows } = await this.pool.query<{
      user_id: string;
      rows: number;
      status: 'running' | 'done' | null;
      started_at: Date | null;
      at: Date | null;
      filed: number;
      skipped: number;
      failed: number;
    }>(
      `WITH i AS (SELECT * FROM problem_list_imports WHERE id = $1),
            o AS (SELECT o.outcome FROM problem_list_import_outcomes o, i
                   WHERE o.import_id = i.id AND i.commit_status = 'running'
                  UNION ALL
                  SELECT r FROM i, jsonb_array_elements(coalesce(i.committed_rows, '[]'::jsonb)) r
                   WHERE i.commit_status IS DISTINCT FROM 'running')
       SELECT i.imported_by_user_id AS user_id, jsonb_array_length(i.rows) AS rows, i.commit_status AS status,
              i.commit_started_at AS started_at, i.committed_at AS at,
              (SELECT count(*) FROM o WHERE o.outcome->>'status' = 'filed')::int AS filed,
              (SELECT count(*) FROM o WHERE o.outcome->>'status' = 'skipped')::int AS skipped,
              (SELECT count(*) FROM o WHERE o.outcome->>'status' = 'failed')::int AS failed
         FROM i`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const processed = row.filed + row.skipped + row.failed;
    const running = row.status === 'running';
    return {
      id,
      importedByUserId: row.user_id,
      rows: row.rows,
      commit:
        running || row.at
          ? {
              status: running ? 'running' : 'done',
              startedAt: row.started_at?.toISOString() ?? null,
              at: running ? null : (row.at?.toISOString() ?? null),
              processed,
              total: row.rows,
              filed: row.filed,
              skipped: row.skipped,
              failed: row.failed,
            }
          : null,
    };
  }

  async requestCommit(id: string, actor: Actor, startedAt: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query(
        `UPDATE problem_list_imports SET commit_status = 'running', commit_started_at = $2, commit_actor = $3
         WHERE id = $1 AND commit_status IS DISTINCT FROM 'running'`,
        [id, startedAt, JSON.stringify(actor)],
      );
      if (rowCount) await client.query('DELETE FROM problem_list_import_outcomes WHERE import_id = $1', [id]);
      await client.query('COMMIT');
      return Boolean(rowCount);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async runningCommits(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM problem_list_imports WHERE commit_status = 'running' ORDER BY commit_started_at, id`,
    );
    return rows.map((row) => row.id);
  }

  async claimCommit(id: string): Promise<ImportCommitClaim | null> {
    const lock = await SessionLock.tryAcquire(this.pool, {
      name: id,
      keySql: commitLockKeySql,
      purpose: 'import-commit',
      lostError: (cause) => new Error(`import ${id}: the connection holding its commit was lost`, { cause }),
      keepAlive: true,
    });
    if (!lock) return null;
    try {
      // Read under the lock: what the last runner recorded before it stopped is all there.
      const found = await this.read(lock.client, id);
      if (!found || found.stored.commit?.status !== 'running' || !found.actor) {
        await lock.release();
        return null;
      }
      const client = lock.client;
      // Written on the lock's own connection (a runner whose lock is gone records nothing more), one statement after
      // the other: the runner files a few rows at a time, and a connection takes one query at a time.
      let queue: Promise<unknown> = Promise.resolve();
      const inTurn = (statement: () => Promise<unknown>): Promise<void> => {
        const turn = queue.then(statement);
        queue = turn.catch(() => undefined);
        return turn.then(() => undefined);
      };
      return {
        stored: found.stored,
        actor: found.actor,
        recorded: new Set(found.stored.commit.rows.map((row) => row.rowNumber)),
        recordRow(row) {
          lock.assertHeld();
          return inTurn(() =>
            client.query(
              `INSERT INTO problem_list_import_outcomes (import_id, row_number, outcome) VALUES ($1, $2, $3)
             ON CONFLICT (import_id, row_number) DO UPDATE SET outcome = EXCLUDED.outcome`,
              [id, row.rowNumber, JSON.stringify(row)],
            ),
          );
        },
        finish(at) {
          lock.assertHeld();
          return inTurn(() =>
            client.query(
              `UPDATE problem_list_imports SET commit_status = 'done', committed_at = $2, committed_rows =
               (SELECT coalesce(jsonb_agg(outcome ORDER BY row_number), '[]'::jsonb)
                FROM problem_list_import_outcomes WHERE import_id = $1)
             WHERE id = $1 AND commit_status = 'running'`,
              [id, at],
            ),
          );
        },
        release: () => lock.release(),
      };
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private async read(
    db: Pick<Pool, 'query'>,
    id: string,
  ): Promise<{ stored: StoredImport; actor: Actor | null } | null> {
    const { rows } = await db.query<ImportRow>('SELECT * FROM problem_list_imports WHERE id = $1', [id]);
    const row = rows[0];
    if (!row) return null;
    return {
      stored: {
        id: row.id,
        fileName: row.file_name,
        fileSha256: row.file_sha256,
        format: row.format,
        importedBy: { userId: row.imported_by_user_id, username: row.imported_by_username },
        importedAt: row.imported_at.toISOString(),
        rows: row.rows,
        commit: await this.commitOf(db, row),
      },
      actor: row.commit_actor,
    };
  }

  private async commitOf(db: Pick<Pool, 'query'>, row: ImportRow): Promise<ImportCommit | null> {
    const total = row.rows.length;
    const startedAt = row.commit_started_at?.toISOString() ?? null;
    if (row.commit_status === 'running') {
      const { rows: outcomes } = await db.query<{ outcome: CommittedRow }>(
        'SELECT outcome FROM problem_list_import_outcomes WHERE import_id = $1 ORDER BY row_number',
        [row.id],
      );
      const done = outcomes.map((outcome) => outcome.outcome);
      return { status: 'running', startedAt: startedAt!, processed: done.length, total, rows: done };
    }
    if (!row.committed_at || !row.committed_rows) return null;
    const rows = row.committed_rows;
    return { status: 'done', startedAt, at: row.committed_at.toISOString(), processed: rows.length, total, rows };
  }
}
