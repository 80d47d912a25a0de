import { ConnectionOptions, createPostgresBackend, Job, Queue, Worker, WorkerOptions } from 'bullmq';
import IORedis from 'ioredis';
import { closeInReverse } from '../bootstrap/close-in-reverse';

/** Where BullMQ keeps its jobs: Redis in production, its own PostgreSQL backend in the embedded default. */
export type QueueBackend =
  | { readonly kind: 'redis'; readonly url: string; readonly prefix?: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

// One type for queues and workers on either backend (BullMQ types them by backend and connection).
/* eslint-disable @typescript-eslint/no-explicit-any */
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
      queue = this.backend.kind === 'redis'
        ? new Queue(name, { connection: this.redisConnection(), prefix: this.backend.prefix })
        : new Queue(name, { connection: this.postgresConnection() }, createPostgresBackend);
      queue.on('error', () => undefined); // connection trouble is retried by the client; jobs say what failed
      this.queues.set(name, queue);
    }
    return queue;
  }

  worker<T>(name: string, processor: (job: Job<T>, token?: string) => Promise<unknown>, options: Omit<WorkerOptions, 'connection'> = {}): AnyWorker<T> {
    const worker: AnyWorker<T> = this.backend.kind === 'redis'
      ? new Worker<T>(name, processor, { ...options, connection: this.redisConnection(), prefix: this.backend.prefix })
      : new Worker(name, processor as (job: Job) => Promise<unknown>, { ...options, connection: this.postgresConnection() }, createPostgresBackend);
    worker.on('error', () => undefined);
    this.workers.push(worker);
    return worker;
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
    await closeInReverse(
      [
        () => allClosed(connections.map(endRedis)),
        () => allClosed(queues.map((q) => q.close())),
        () => allClosed(workers.map((w) => w.close())),
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

  private postgresConnection(): { connectionString: string; schema: string; migrate: true; max: number } {
    const backend = this.backend as Extract<QueueBackend, { kind: 'postgres' }>;
    return { connectionString: backend.url, schema: backend.schema ?? 'bullmq', migrate: true, max: 4 };
  }
}

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
