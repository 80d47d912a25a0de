import { randomUUID } from 'node:crypto';
import { takesEventType } from '@zhenggai/application';
import { Client, type Pool } from 'pg';

/** The channel an append notifies, to wake subscriptions in other processes. */
export const EVENTS_APPENDED_CHANNEL = 'events_appended';

const RECONNECT_DELAY_MS = 1_000;
/**
 * Under load, at most one NOTIFY per this many milliseconds: each is a commit of its own, and they were
 * a sixth of the write path's cost. Subscriptions in other processes learn of new events this much later
 * at worst; those in this process are woken at once.
 */
const ANNOUNCE_INTERVAL_MS = 50;

/**
 * Wakes subscriptions when events may have been appended: at once for appends through the same store
 * object (only the subscriptions that take one of the appended types: a reaction to directory events is not
 * woken by every progress report, and finds the others at its next poll), through LISTEN/NOTIFY for appends
 * from other processes. One dedicated connection listens while
 * at least one subscription is running; if it fails, it is opened again later. A missed wake-up only
 * delays a subscription until its next poll.
 *
 * The NOTIFY is sent after the append commits, not inside its transaction: a transaction that notifies
 * holds a database-wide lock until its commit is flushed, so notifying appends commit one at a time
 * (measured: about 20 % fewer appends per second with 16 writers). Notifications are coalesced: while
 * one is on its way, any number of further appends ask for one more, sent a little later.
 */
export class EventNotifications {
  /** Each listener with the type prefixes it takes (undefined: every type). */
  private readonly listeners = new Map<() => void, readonly string[] | undefined>();
  /** Told of every wake-up, without keeping a connection listening (`observe`). */
  private readonly observers = new Set<() => void>();
  private client: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private announcing = false;
  /**
   * Sent with each NOTIFY, so that this object's own announcements, already delivered in-process, wake nobody twice.
   */
  private readonly origin = randomUUID();
  private announceAgain = false;

  constructor(private readonly pool: Pool) {}

  /**
   * Calls `listener` on every wake-up until the returned function is called; for appends through this process,
   * only when one of the appended types starts with one of `eventTypePrefixes` (when given).
   */
  subscribe(listener: () => void, eventTypePrefixes?: readonly string[]): () => Promise<void> {
    this.listeners.set(listener, eventTypePrefixes);
    if (this.listeners.size === 1) this.connect();
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) await this.disconnect();
    };
  }

  /**
   * Calls `observer` on every append through this process and every wake-up the listening connection hears, of any
   * type, until the returned function is called. Unlike `subscribe`, it keeps no connection listening: it hears other
   * processes' appends only while a subscriber listens.
   */
  observe(observer: () => void): () => void {
    this.observers.add(observer);
    return () => void this.observers.delete(observer);
  }

  /** An append of events of these types through this process committed. */
  appended(types: readonly string[]): void {
    for (const observer of this.observers) observer();
    for (const [listener, prefixes] of this.listeners) {
      if (types.some((type) => takesEventType(prefixes, type))) listener();
    }
    void this.announce();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.observers.clear();
    await this.disconnect();
  }

  private async announce(): Promise<void> {
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = true;
    try {
      do {
        this.announceAgain = false;
        await this.pool
          .query('SELECT pg_notify($1, $2)', [EVENTS_APPENDED_CHANNEL, this.origin])
          .catch(() => undefined);
        if (this.announceAgain) await new Promise((resolve) => setTimeout(resolve, ANNOUNCE_INTERVAL_MS));
      } while (this.announceAgain);
    } finally {
      this.announcing = false;
    }
  }

  private wakeAll(): void {
    for (const observer of this.observers) observer();
    for (const listener of this.listeners.keys()) listener();
  }

  private connect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = new Client({
      ...this.pool.options,
      application_name: `${this.pool.options.application_name ?? 'zhenggai'}:listen`,
      keepAlive: true,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.payload !== this.origin) this.wakeAll();
    });
    client.on('error', () => this.dropAndRetry(client));
    client.on('end', () => this.dropAndRetry(client));
    client
      .connect()
      .then(() => client.query(`LISTEN ${EVENTS_APPENDED_CHANNEL}`))
      // Events may have been appended while the connection was opening.
      .then(() => this.wakeAll())
      .catch(() => this.dropAndRetry(client));
  }

  private dropAndRetry(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.listeners.size > 0 && !this.reconnectTimer) {
      this.reconnectTimer = setTimeout(() => this.connect(), RECONNECT_DELAY_MS);
      this.reconnectTimer.unref();
    }
  }

  private async disconnect(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    client?.removeAllListeners('notification');
    await client?.end().catch(() => undefined);
  }
}
