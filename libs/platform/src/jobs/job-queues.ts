import { ConnectionOptions, createPostgresBackend, Job, Queue, Worker, WorkerOptions } from 'bullmq';
import IORedis from 'ioredis';
import { closeInReverse } from '../bootstrap/close-in-reverse';
import { shutdownStep } from '../bootstrap/shutdown-steps';

/** Where BullMQ keeps its jobs: Redis in production, its own PostgreSQL backend in the embedded default. */
export type QueueBackend =
  | { readonly kind: 'redis'; readonly url: string; readonly prefix?: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

// One type for queues and workers on either backend (BullMQ types them by backend and connection).
export type AnyQueue = Queue<any, any, string, any, any, string, any, any>;
export type AnyWorker<T = any> = Worker<T, any, string, any, any, any>;

export const REMINDERS_QUEUE = 'reminders';
export const NOTIFICATIONS_QUEUE = 'notifications';
export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * The BullMQ queues and workers of one process, on one backend. Producers share a connection per queue;
 * each worker gets its own (BullMQ blocks on it while waiting for jobs). `close()` stops workers first.
 */
export class JobQueues {
  private readonly queues = new Map<string, AnyQueue>();
  private readonly workers: AnyWorker[] = [];
  private readonly redis: IORedis[] = [];

  constructor(readonly backend: QueueBackend) {}

  get backendName(): 'redis' | 'postgres' {
    return this.backend.kind;
  }

  queue(name: string): AnyQueue {
    let queue: AnyQueue | undefined = this.queues.get(name);
    if (!queue) {
      queue =
        this.backend.kind === 'redis'
          ? new Queue(name, { connection: this.redisConnection(), prefix: this.backend.prefix })
          : new Queue(name, { connection: this.postgresConnection() }, watchedPostgresBackend);
      queue.on('error', () => undefined); // connection trouble is retried by the client; jobs say what failed
      this.queues.set(name, queue);
    }
    return queue;
  }

  worker<T>(
    name: string,
    processor: (job: Job<T>, token?: string) => Promise<unknown>,
    options: Omit<WorkerOptions, 'connection'> = {},
  ): AnyWorker<T> {
    const worker: AnyWorker<T> =
      this.backend.kind === 'redis'
        ? new Worker<T>(name, processor, {
            ...options,
            connection: this.redisConnection(),
            prefix: this.backend.prefix,
          })
        : new Worker(
            name,
            processor as (job: Job) => Promise<unknown>,
            { ...options, connection: this.postgresConnection() },
            watchedPostgresBackend,
          );
    worker.on('error', () => undefined);
    this.workers.push(worker);
    return worker;
  }

  /**
   * Resolves when every queue and worker made so far can work (on PostgreSQL: BullMQ's schema is migrated and
   * checked). A queue whose first connection failed stays unusable (BullMQ keeps that failure), so a process
   * awaits this at start and fails to start rather than run with it.
   */
  async ready(): Promise<void> {
    await Promise.all([...this.queues.values(), ...this.workers].map((q) => q.waitUntilReady()));
  }

  /**
   * Workers first, then queues, then the Redis connections, each step even when one before it failed; a
   * connection ends without reconnecting (a `quit` that cannot be sent would wait for a reconnect that never comes).
   */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    const queues = [...this.queues.values()];
    this.queues.clear();
    const connections = this.redis.splice(0);
    const on = this.backend.kind === 'redis' ? 'Redis' : 'PostgreSQL';
    await closeInReverse(
      [
        () => shutdownStep(`the connections to ${on}`, () => allClosed(connections.map(endRedis))),
        () =>
          shutdownStep(`BullMQ queues ${queues.map((q) => q.name).join(', ')} on ${on}`, () =>
            allClosed(queues.map((q) => q.close())),
          ),
        () =>
          shutdownStep(
            `BullMQ workers ${workers.map((w) => w.name).join(', ')} on ${on}, finishing their jobs in progress`,
            () => allClosed(workers.map((w) => w.close())),
          ),
      ],
      'the job queues',
    );
  }

  private redisConnection(): ConnectionOptions {
    const connection = new IORedis((this.backend as { url: string }).url, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.redis.push(connection);
    return connection;
  }

  private postgresConnection(): {
    connectionString: string;
    schema: string;
    migrate: true;
    max: number;
    application_name: string;
  } {
    const backend = this.backend as Extract<QueueBackend, { kind: 'postgres' }>;
    return {
      connectionString: backend.url,
      schema: backend.schema ?? 'bullmq',
      migrate: true,
      max: 4,
      application_name: 'zhenggai:bullmq',
    };
  }
}

/**
 * BullMQ's PostgreSQL backend, with an 'error' listener on every connection its pool makes. BullMQ listens on its
 * pool and on its LISTEN connection, but not on the connection it checks out to migrate and check its schema: one
 * terminated there (a restart, `pg_terminate_backend`) emitted 'error' with no listener, which ends the process.
 * The failure still reaches BullMQ through the statement that was running.
 */
const watchedPostgresBackend: typeof createPostgresBackend = (name, opts, options) => {
  const backend = createPostgresBackend(name, opts, options);
  backend.connection.pool.on('connect', (client) => client.on('error', () => undefined));
  return backend;
};

async function endRedis(connection: IORedis): Promise<void> {
  if (connection.status === 'ready') await connection.quit().catch(() => undefined);
  connection.disconnect();
}

/** Waits for every one to settle; throws the first failure. */
async function allClosed(closing: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(closing)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** BullMQ job ids may not contain ':'. */
export function jobIdOf(...parts: readonly (string | number)[]): string {
  return parts.map((p) => String(p).replace(/:/g, '-')).join('_');
}
