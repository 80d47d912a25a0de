import { UserAccount, UserRepository } from '@zhenggai/application';
import { Role } from '@zhenggai/domain';
import { Pool } from 'pg';

export const userMigrations = [
  {
    // Accounts are the directory's (kept from user- streams); passwords are credentials, which are never events.
    // Whom a reminder reaches is looked up when it fires: a unit's accounts, or the leaders.
    id: 'users-001-accounts',
    sql: `
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('inspector', 'unit', 'leader', 'admin')),
        unit_id uuid,
        region_scope_id uuid,
        disabled boolean NOT NULL DEFAULT false,
        revision integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX users_username ON users (lower(username));
      CREATE INDEX users_enabled_role_unit ON users (role, unit_id) WHERE NOT disabled;
      CREATE TABLE user_credentials (
        user_id uuid PRIMARY KEY,
        password_hash text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  unit_id: string | null;
  region_scope_id: string | null;
  password_hash: string | null;
  disabled: boolean;
}

const toAccount = (row: UserRow): UserAccount => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  unitId: row.unit_id,
  regionScopeId: row.region_scope_id,
  passwordHash: row.password_hash,
  disabled: row.disabled,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT = 'SELECT u.*, c.password_hash FROM users u LEFT JOIN user_credentials c ON c.user_id = u.id';

export class PostgresUserRepository implements UserRepository {
  constructor(private readonly pool: Pool) {}

  async findByUsername(username: string): Promise<UserAccount | null> {
    const { rows } = await this.pool.query<UserRow>(
      `${SELECT} WHERE lower(u.username) = lower($1) ORDER BY u.created_at LIMIT 1`,
      [username],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    const { rows } = await this.pool.query<UserRow>(`${SELECT} WHERE u.id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findByIds(ids: readonly string[]): Promise<UserAccount[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return [];
    const { rows } = await this.pool.query<UserRow>(`${SELECT} WHERE u.id = ANY($1::uuid[])`, [valid]);
    return rows.map(toAccount);
  }

  async list(): Promise<UserAccount[]> {
    const { rows } = await this.pool.query<UserRow>(`${SELECT} ORDER BY u.username`);
    return rows.map(toAccount);
  }

  async listEnabled(role: Role, unitId?: string): Promise<UserAccount[]> {
    const { rows } = await this.pool.query<UserRow>(
      `${SELECT} WHERE NOT u.disabled AND u.role = $1 AND ($2::uuid IS NULL ` +
        'OR u.unit_id = $2::uuid) ORDER BY u.username',
      [role, unitId ?? null],
    );
    return rows.map(toAccount);
  }

  async setPasswordHash(userId: string, passwordHash: string, options: { keepExisting?: boolean } = {}): Promise<void> {
    await this.pool.query(
      `INSERT INTO user_credentials (user_id, password_hash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO
         ${options.keepExisting ? 'NOTHING' : 'UPDATE SET password_hash = EXCLUDED.password_hash, changed_at = now()'}`,
      [userId, passwordHash],
    );
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
    return Number(rows[0].n);
  }
}
