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
  {
    // Each delivery belongs to one batch, the queue job that sends it. The rows still owed before batches get the
    // id of the job each had of its own then, so that job, when it runs, finds its row.
    id: 'deliveries-002-batch',
    sql: `
      ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS batch text;
      UPDATE deliveries SET batch = 'delivery_' || replace(id, ':', '-') WHERE batch IS NULL AND status <> 'delivered';
      CREATE INDEX IF NOT EXISTS deliveries_pending_batch ON deliveries (batch) WHERE status = 'pending';`,
  },
  {
    // Until when the call that recorded a row has it in hand (sends it at once, or is about to queue it): the
    // reconciliation leaves it alone until then. Rows recorded before have no hold.
    id: 'deliveries-003-held-until',
    sql: `ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS held_until timestamptz;`,
  },
  {
    // The ledger newest first, a page at a time (`page`): read by index however far back, whatever the status.
    id: 'deliveries-004-newest',
    sql: `CREATE INDEX IF NOT EXISTS deliveries_newest ON deliveries (created_at DESC, id DESC);`,
  },
];

/** Marks gathered while the statement before them is on its way, and how their callers learn they were written. */
interface WaitingGroup {
  readonly ids: string[];
  readonly written: Promise<void>;
  settle(error: unknown): void;
}

function waitingGroup(): WaitingGroup {
  let settle!: (error: unknown) => void;
  const written = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  return { ids: [], written, settle };
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One message to one external address (a webhook, an e-mail address), with what became of it. */
export interface Delivery {
  readonly id: string;
  readonly eventId: string;
  readonly taskId: string;
  readonly reminderId: string;
  readonly address: ChannelAddress;
  readonly message: ReminderMessage;
  /**
   * The batch it is sent in: the queue job, one per address, that sends the batch's pending rows one by one (null for
   * a row delivered before batches).
   */
  readonly batch: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

/** A page of the delivery ledger, newest first (`PostgresDeliveries.page`). */
export interface DeliveryPage {
  readonly items: Delivery[];
  /** The deliveries older than these: `before=<next>` (null when there are none). */
  readonly next: string | null;
}

/**
 * Where a page of the ledger ends: its last delivery's time (microseconds since 1970) and its id (base64url), the
 * ledger's order.
 */
const DELIVERY_CURSOR = /^(\d{1,17})\.([A-Za-z0-9_-]{1,700})$/;

/** Whether `cursor` is the `next` of a page of the delivery ledger. */
export function isDeliveryCursor(cursor: string): boolean {
  return DELIVERY_CURSOR.test(cursor);
}

export type NewDelivery = Pick<Delivery, 'id' | 'eventId' | 'taskId' | 'reminderId' | 'address' | 'message'> & {
  readonly batch: string;
  /**
   * How long the recording call keeps the row in hand (sends it at once, or queues it), during which the
   * reconciliation does not queue it; none when absent.
   */
  readonly heldForMs?: number;
};

/** A delivery still to be sent, and the batch that sends it. */
export interface PendingDelivery {
  readonly id: string;
  readonly batch: string;
}

/**
 * A delivery still to be sent, as `record` answers it: `fresh` when that call wrote its row (no other call has it in
 * hand: a replay, or another worker recording the same deliveries, finds the row there before), and whether the call
 * that wrote it still holds it (`NewDelivery.heldForMs`; false when fresh).
 */
export interface RecordedDelivery extends PendingDelivery {
  readonly fresh: boolean;
  readonly held: boolean;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  task_id: string;
  reminder_id: string;
  address: ChannelAddress;
  message: ReminderMessage;
  batch: string | null;
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
  batch: r.batch,
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

  /**
   * Records the deliveries that are not recorded yet, each in the batch it names; returns those still to be sent, each
   * with the batch it is in (a delivery recorded before keeps its own) and whether this call wrote it.
   */
  async record(deliveries: readonly NewDelivery[]): Promise<RecordedDelivery[]> {
    if (deliveries.length === 0) return [];
    // The rows inserted, the rows there before that are still pending and, with no batch, those another worker
    // inserted while this statement ran (its snapshot does not see them), to be read again once it has.
    // Prepared once per connection: a batch of notices under a stream of commands holds a few rows, and planning
    // the statement took twice as long as running it.
    const { rows } = await this.pool.query<{ id: string; batch: string | null; fresh: boolean; held: boolean }>({
      name: 'zg_record_deliveries',
      text: `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(
           id text, event_id uuid, task_id uuid, reminder_id text, address jsonb, message jsonb, batch text,
           held_ms float8)
       ), inserted AS (
         INSERT INTO deliveries (id, event_id, task_id, reminder_id, address, message, batch, held_until)
         SELECT id, event_id, task_id, reminder_id, address, message, batch,
                CASE WHEN held_ms > 0 THEN now() + make_interval(secs => held_ms / 1000) END
           FROM input
         ON CONFLICT (id) DO NOTHING
         RETURNING id, batch
       )
       SELECT id, batch, true AS fresh, false AS held FROM inserted
       UNION ALL
       SELECT d.id, d.batch, false, coalesce(d.held_until > now(), false)
         FROM deliveries d JOIN input USING (id) WHERE d.status = 'pending'
       UNION ALL
       SELECT i.id, NULL, false, false FROM input i
        WHERE NOT EXISTS (SELECT 1 FROM inserted n WHERE n.id = i.id)
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = i.id)`,
      values: [
        JSON.stringify(
          deliveries.map((d) => ({
            id: d.id,
            event_id: d.eventId,
            task_id: d.taskId,
            reminder_id: d.reminderId,
            address: d.address,
            message: d.message,
            batch: d.batch,
            held_ms: d.heldForMs ?? 0,
          })),
        ),
      ],
    });
    const pending = rows.filter((r): r is RecordedDelivery => r.batch !== null);
    const concurrent = rows.filter((r) => r.batch === null).map((r) => r.id);
    if (concurrent.length === 0) return pending;
    const { rows: theirs } = await this.pool.query<RecordedDelivery>(
      `SELECT id, batch, false AS fresh, coalesce(held_until > now(), false) AS held
         FROM deliveries
        WHERE id = ANY($1) AND status = 'pending' AND batch IS NOT NULL`,
      [concurrent],
    );
    return [...pending, ...theirs];
  }

  /** The batches' pending rows stay held for another `forMs` (their sender still has them in hand). */
  async hold(batches: readonly string[], forMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET held_until = now() + make_interval(secs => $2::float8 / 1000)
        WHERE batch = ANY($1) AND status = 'pending'`,
      [batches, forMs],
    );
  }

  /**
   * The call that recorded the batches no longer has them in hand (it handed them to the queue, or could not): from
   * now on the reconciliation queues them again should the queue lose them. One statement for all.
   */
  async release(batches: readonly string[]): Promise<void> {
    if (batches.length === 0) return;
    await this.pool.query(
      `UPDATE deliveries SET held_until = NULL
        WHERE batch = ANY($1) AND status = 'pending' AND held_until IS NOT NULL`,
      [batches],
    );
  }

  async get(id: string): Promise<Delivery | null> {
    const { rows } = await this.pool.query<DeliveryRow>('SELECT * FROM deliveries WHERE id = $1', [id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  /** The batch's deliveries still to be sent, in the order they were recorded. */
  async pendingIn(batch: string): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM deliveries WHERE batch = $1 AND status = 'pending' ORDER BY created_at, id`,
      [batch],
    );
    return rows.map(toDelivery);
  }

  /**
   * Marks a message delivered once it went out. The lanes of every batch in this process share the statement: the
   * marks made in one tick go together, and while a statement is on its way, the marks that come meanwhile wait and go
   * together in the next, so under load a commit carries several marks instead of one each. Each caller still waits
   * for its own mark (a lane sends nothing more until its message is marked), so a worker killed at any point has at
   * most one message a lane sent and not marked. Prepared once per connection: planning it each time cost two thirds
   * of running it.
   */
  markDelivered(id: string): Promise<void> {
    const group = (this.marksWaiting ??= waitingGroup());
    group.ids.push(id);
    // The first mark waits for the rest of the tick: the marks of one message carrying several (a robot's list, a
    // json-batch request) are made together, and go in its statement rather than the next.
    if (!this.marking) {
      this.marking = true;
      queueMicrotask(() => void this.writeMarks());
    }
    return group.written;
  }

  private marksWaiting: WaitingGroup | null = null;
  private marking = false;

  private async writeMarks(): Promise<void> {
    try {
      for (let group = this.marksWaiting; group !== null; group = this.marksWaiting) {
        this.marksWaiting = null;
        try {
          await this.pool.query({
            name: 'zg_mark_delivered',
            text: `UPDATE deliveries
                      SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = now(),
                          updated_at = now()
                    WHERE id = ANY($1::text[]) AND status <> 'delivered'`,
            values: [group.ids],
          });
          group.settle(null);
        } catch (error) {
          group.settle(error);
        }
      }
    } finally {
      this.marking = false;
    }
  }

  /** One failed attempt of each delivery, in one statement; `final` when the queue gives up retrying them. */
  async markAttemptsFailed(failures: ReadonlyArray<{ id: string; error: string }>, final: boolean): Promise<void> {
    if (failures.length === 0) return;
    await this.pool.query(
      `UPDATE deliveries d SET attempts = d.attempts + 1, last_error = f.error, updated_at = now(),
              status = CASE WHEN $3 THEN 'failed' ELSE d.status END
         FROM unnest($1::text[], $2::text[]) AS f(id, error)
        WHERE d.id = f.id AND d.status <> 'delivered'`,
      [failures.map((f) => f.id), failures.map((f) => f.error.slice(0, 2000)), final],
    );
  }

  /**
   * Puts a failed delivery back in line (an admin's retry), in a batch of its own (named for its attempts so far, so
   * each retry is a new job): the batch it failed in has run its course.
   */
  async reopen(id: string): Promise<Delivery | null> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', updated_at = now(), held_until = NULL,
              batch = 'retry_' || replace(id, ':', '-') || '_' || attempts
        WHERE id = $1 AND status = 'failed' RETURNING *`,
      [id],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  /** The newest `limit` deliveries (100 by default, at most 1,000), of a status or a task when asked. */
  async list(filter: { status?: DeliveryStatus; taskId?: string; limit?: number }): Promise<Delivery[]> {
    return (await this.page({ ...filter, limit: Math.min(filter.limit ?? 100, 1000) })).items;
  }

  /**
   * A page of the ledger, newest first: `limit` deliveries (of a status or a task when asked) older than the page that
   * ended at `before` (its `next`), and the `next` of this one (null when nothing older is left).
   */
  async page(filter: {
    status?: DeliveryStatus;
    taskId?: string;
    limit: number;
    before?: string;
  }): Promise<DeliveryPage> {
    const before = filter.before === undefined ? null : DELIVERY_CURSOR.exec(filter.before);
    if (filter.before !== undefined && !before) throw new RangeError(`not a delivery ledger cursor: ${filter.before}`);
    const { rows } = await this.pool.query<DeliveryRow & { created_micros: string }>(
      `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_micros FROM deliveries
        WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR task_id = $2)
          AND ($4::bigint IS NULL
               OR (created_at, id) < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::text))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [
        filter.status ?? null,
        filter.taskId ?? null,
        filter.limit + 1,
        before?.[1] ?? null,
        before ? Buffer.from(before[2]!, 'base64url').toString('utf8') : null,
      ],
    );
    const items = rows.slice(0, filter.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toDelivery),
      next:
        rows.length > filter.limit && last
          ? `${last.created_micros}.${Buffer.from(last.id, 'utf8').toString('base64url')}`
          : null,
    };
  }

  /**
   * Deliveries still owed (pending), oldest first, that no call has in hand (`NewDelivery.heldForMs`): the
   * reconciliation queues them again where the queue has lost their batch's job.
   */
  async pending(limit = 1000): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM deliveries
        WHERE status = 'pending' AND (held_until IS NULL OR held_until <= now())
        ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map(toDelivery);
  }
}
