import { ReminderPolicySource } from '@zhenggai/application';
import { DEFAULT_REMINDER_POLICY, deepFreeze, ReminderLevel, ReminderPolicy } from '@zhenggai/domain';
import { Pool } from 'pg';

export const reminderPolicyMigrations = [
  {
    id: 'reminder-policies-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS reminder_policies (
        id text NOT NULL,
        version integer NOT NULL,
        name text NOT NULL,
        levels jsonb NOT NULL,
        defined_by text NOT NULL,
        defined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, version)
      );`,
  },
];

interface PolicyRow {
  id: string;
  version: number;
  name: string;
  levels: ReminderLevel[];
}
/** Frozen: pinned on every assignment while in force, its text is written once by the store (`deepFreeze`). */
const toPolicy = (r: PolicyRow): ReminderPolicy =>
  deepFreeze({ id: r.id, version: r.version, name: r.name, levels: r.levels });

/**
 * Versioned ladders in PostgreSQL; rows are only ever added. Until an admin defines `default`, it is
 * DESIGN.md's ladder (version 1). The policy in force is remembered for a short while, because every assignment
 * asks for it: another API instance sees a new version within `ttlMs`.
 */
export class PostgresReminderPolicies implements ReminderPolicySource {
  private readonly remembered = new Map<string, { policy: ReminderPolicy; until: number }>();

  constructor(
    private readonly pool: Pool,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async inForce(campaignId: string | null): Promise<ReminderPolicy> {
    const key = campaignId ?? DEFAULT_REMINDER_POLICY.id;
    const hit = this.remembered.get(key);
    if (hit && hit.until > this.now()) return hit.policy;
    const { rows } = await this.pool.query<PolicyRow>(
      `SELECT id, version, name, levels FROM reminder_policies WHERE id = ANY($1::text[])
        ORDER BY (id = $2) DESC, version DESC LIMIT 1`,
      [[key, DEFAULT_REMINDER_POLICY.id], key],
    );
    const policy = rows[0] ? toPolicy(rows[0]) : DEFAULT_REMINDER_POLICY;
    this.remembered.set(key, { policy, until: this.now() + this.ttlMs });
    return policy;
  }

  async list(): Promise<ReminderPolicy[]> {
    const { rows } = await this.pool.query<PolicyRow>(
      `SELECT DISTINCT ON (id) id, version, name, levels FROM reminder_policies ORDER BY id, version DESC`,
    );
    const policies = rows.map(toPolicy);
    return policies.some((p) => p.id === DEFAULT_REMINDER_POLICY.id)
      ? policies
      : [DEFAULT_REMINDER_POLICY, ...policies];
  }

  async define(id: string, name: string, levels: readonly ReminderLevel[], definedBy: string): Promise<ReminderPolicy> {
    // The built-in default is version 1, so the first stored `default` is version 2.
    const { rows } = await this.pool.query<PolicyRow>(
      `INSERT INTO reminder_policies (id, version, name, levels, defined_by)
       SELECT $1, greatest(coalesce(max(version), 0), CASE WHEN $1 = $5 THEN 1 ELSE 0 END) + 1, $2, $3, $4
         FROM reminder_policies WHERE id = $1
       RETURNING id, version, name, levels`,
      [id, name, JSON.stringify(levels), definedBy, DEFAULT_REMINDER_POLICY.id],
    );
    this.remembered.clear();
    return toPolicy(rows[0]!);
  }
}
