import { NewUserAccount, UserAccount, UserRepository, UsernameTakenError } from '@zhenggai/application';
import { Role } from '@zhenggai/domain';
import { Pool } from 'pg';

export const userMigrations = [
  {
    id: 'users-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS users (
        id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('inspector', 'unit', 'leader', 'admin')),
        unit_id uuid,
        password_hash text NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  unit_id: string | null;
  password_hash: string;
  disabled: boolean;
}

const toAccount = (row: UserRow): UserAccount => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  unitId: row.unit_id,
  passwordHash: row.password_hash,
  disabled: row.disabled,
});

export class PostgresUserRepository implements UserRepository {
  constructor(private readonly pool: Pool) {}

  async findByUsername(username: string): Promise<UserAccount | null> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async list(): Promise<UserAccount[]> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users ORDER BY username');
    return rows.map(toAccount);
  }

  async create(user: NewUserAccount): Promise<void> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO users (id, username, display_name, role, unit_id, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING`,
      [user.id, user.username, user.displayName, user.role, user.unitId, user.passwordHash],
    );
    if (rowCount === 0) throw new UsernameTakenError(user.username);
  }

  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE users SET disabled = $2 WHERE id = $1', [id, disabled]);
    return rowCount === 1;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
    return Number(rows[0].n);
  }
}
