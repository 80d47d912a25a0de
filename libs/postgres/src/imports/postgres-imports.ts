import { CommittedRow, ImportStore, PreviewRow, StoredImport } from '@zhenggai/application';
import { Pool } from 'pg';

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
}

/** Previewed 问题清单 imports in PostgreSQL, one row each with its parsed rows as JSON. */
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
    const { rows } = await this.pool.query<ImportRow>('SELECT * FROM problem_list_imports WHERE id = $1', [id]);
    const row = rows[0];
    return row
      ? {
          id: row.id,
          fileName: row.file_name,
          fileSha256: row.file_sha256,
          format: row.format,
          importedBy: { userId: row.imported_by_user_id, username: row.imported_by_username },
          importedAt: row.imported_at.toISOString(),
          rows: row.rows,
          commit:
            row.committed_at && row.committed_rows
              ? { at: row.committed_at.toISOString(), rows: row.committed_rows }
              : null,
        }
      : null;
  }

  async recordCommit(id: string, commit: NonNullable<StoredImport['commit']>): Promise<void> {
    await this.pool.query('UPDATE problem_list_imports SET committed_at = $2, committed_rows = $3 WHERE id = $1', [
      id,
      commit.at,
      JSON.stringify(commit.rows),
    ]);
  }
}
