import { ChannelAddress, ReminderMessage } from '@zhenggai/application';
import { Pool } from 'pg';

export const deliveryMigrations = [
  {
    id: 'deliveries-001-create',
    sql: `
      CREATE TABLE IF NOT EXISTS deliveries (
        id text PRIMARY KEY,
        event_id uuid NOT NULL,
        task_id uuid NOT NULL,
        reminder_id text NOT NULL,
        address jsonb NOT NULL,
        message jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (created_at) WHERE status <> 'delivered';
      CREATE INDEX IF NOT EXISTS deliveries_task ON deliveries (task_id);`,
  },
];

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One message to one external address (a webhook, an e-mail address), with what became of it. */
export interface Delivery {
  readonly id: string;
  readonly eventId: string;
  readonly taskId: string;
  readonly reminderId: string;
  readonly address: ChannelAddress;
  readonly message: ReminderMessage;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

export type NewDelivery = Pick<Delivery, 'id' | 'eventId' | 'taskId' | 'reminderId' | 'address' | 'message'>;

interface DeliveryRow {
  id: string;
  event_id: string;
  task_id: string;
  reminder_id: string;
  address: ChannelAddress;
  message: ReminderMessage;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  taskId: r.task_id,
  reminderId: r.reminder_id,
  address: r.address,
  message: r.message,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  deliveredAt: r.delivered_at?.toISOString() ?? null,
});

/**
 * The ledger of external deliveries: the queue moves them, this records them. Ids are deterministic (event,
 * address), so recording the same reminder twice records one delivery, and a lost queue can be refilled
 * from the rows that are not delivered.
 */
export class PostgresDeliveries {
  constructor(private readonly pool: Pool) {}

  /** Records the deliveries that are not recorded yet; returns those still to be sent. */
  async record(deliveries: readonly NewDelivery[]): Promise<Delivery[]> {
    if (deliveries.length === 0) return [];
    const { rows } = await this.pool.query<DeliveryRow>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS d(id text, event_id uuid, task_id uuid, reminder_id text, address jsonb, message jsonb)
       ), inserted AS (
         INSERT INTO deliveries (id, event_id, task_id, reminder_id, address, message)
         SELECT id, event_id, task_id, reminder_id, address, message FROM input
         ON CONFLICT (id) DO NOTHING
       )
       SELECT d.* FROM deliveries d JOIN input USING (id) WHERE d.status = 'pending'
       UNION ALL
       SELECT i.id, i.event_id, i.task_id, i.reminder_id, i.address, i.message, 'pending', 0, NULL, now(), now(), NULL
         FROM input i WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = i.id)`,
      [
        JSON.stringify(
          deliveries.map((d) => ({
            id: d.id,
            event_id: d.eventId,
            task_id: d.taskId,
            reminder_id: d.reminderId,
            address: d.address,
            message: d.message,
          })),
        ),
      ],
    );
    return rows.map(toDelivery);
  }

  async get(id: string): Promise<Delivery | null> {
    const { rows } = await this.pool.query<DeliveryRow>('SELECT * FROM deliveries WHERE id = $1', [id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async markDelivered(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries
          SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = now(), updated_at = now()
        WHERE id = $1 AND status <> 'delivered'`,
      [id],
    );
  }

  /** One failed attempt; `final` when the queue gives up retrying. */
  async markAttemptFailed(id: string, error: string, final: boolean): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET attempts = attempts + 1, last_error = $2, updated_at = now(),
              status = CASE WHEN $3 THEN 'failed' ELSE status END
        WHERE id = $1 AND status <> 'delivered'`,
      [id, error.slice(0, 2000), final],
    );
  }

  /** Puts a failed delivery back in line (an admin's retry). */
  async reopen(id: string): Promise<Delivery | null> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', updated_at = now() WHERE id = $1 AND status = 'failed' RETURNING *`,
      [id],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async list(filter: { status?: DeliveryStatus; taskId?: string; limit?: number }): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM deliveries
        WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR task_id = $2)
        ORDER BY created_at DESC LIMIT $3`,
      [filter.status ?? null, filter.taskId ?? null, Math.min(filter.limit ?? 100, 1000)],
    );
    return rows.map(toDelivery);
  }

  /** Deliveries still owed (pending), oldest first: the reconciliation re-enqueues them. */
  async pending(limit = 1000): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM deliveries WHERE status = 'pending' ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map(toDelivery);
  }
}
