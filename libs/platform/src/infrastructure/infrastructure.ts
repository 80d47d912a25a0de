import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  Clock,
  Directory,
  DirectoryDeps,
  EventStore,
  EvidenceIndex,
  EvidenceStore,
  IdempotencyStore,
  IdGenerator,
  PasswordHasher,
  ProjectionEventSource,
  RandomUuidGenerator,
  StreamStateCache,
  SystemClock,
  UseCaseDeps,
  UserRepository,
} from '@zhenggai/application';
import {
  createPool,
  DataFolderError,
  deliveryMigrations,
  directoryMigrations,
  PostgresDeliveries,
  PostgresReminderPolicies,
  PostgresSessions,
  sessionMigrations,
  rateLimitMigrations,
  eventStoreMigrations,
  idempotencyMigrations,
  importMigrations,
  migrate,
  projectionMigrations,
  reminderPolicyMigrations,
  PostgresDirectory,
  PostgresEventStore,
  PostgresIdempotencyStore,
  PostgresImports,
  PostgresUserRepository,
  startEmbeddedPostgres,
  subscriptionMigrations,
  userMigrations,
} from '@zhenggai/postgres';
import { streamsCitingEvidence } from '@zhenggai/read-models';
import { Pool } from 'pg';
import { closeInReverse } from '../bootstrap/close-in-reverse';
import { shutdownStep } from '../bootstrap/shutdown-steps';
import { AppConfig, ConfigurationError } from '../config/app-config';
import { evidenceStoreOf } from '../evidence/evidence-store-of';
import { JobQueues } from '../jobs/job-queues';
import { ScryptPasswordHasher } from '../security/scrypt-password-hasher';

/** The adapters one process works with, wired from configuration. Closed in reverse order of opening. */
export interface Infrastructure {
  readonly config: AppConfig;
  readonly embedded: boolean;
  readonly databaseUrl: string;
  readonly pool: Pool;
  readonly eventStore: EventStore;
  /**
   * Where projection runners read events when they are not in PostgreSQL (EVENTSTORE=esdb); `undefined`: they
   * read the PostgreSQL event store directly, inside their transactions.
   */
  readonly projectionSource: ProjectionEventSource | undefined;
  readonly users: UserRepository;
  readonly idempotency: IdempotencyStore;
  readonly directory: Directory;
  readonly reminderPolicies: PostgresReminderPolicies;
  readonly deliveries: PostgresDeliveries;
  /** BullMQ: on Redis with REDIS_URL, else on BullMQ's PostgreSQL backend in this database (schema bullmq). */
  readonly queues: JobQueues;
  readonly sessions: PostgresSessions;
  /** Uploaded evidence files (a local folder, or an S3-compatible bucket). */
  readonly evidence: EvidenceStore;
  /** Previewed 问题清单 imports. */
  readonly imports: PostgresImports;
  readonly passwordHasher: PasswordHasher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** States of streams this process wrote last, shared by every use case of the process. */
  readonly streamCache: StreamStateCache;
  readonly jwtSecret: string;
  close(): Promise<void>;
}

export const allMigrations = [
  ...eventStoreMigrations,
  ...subscriptionMigrations,
  ...userMigrations,
  ...directoryMigrations,
  ...idempotencyMigrations,
  ...projectionMigrations,
  ...reminderPolicyMigrations,
  ...deliveryMigrations,
  ...sessionMigrations,
  ...rateLimitMigrations,
  ...importMigrations,
];

/** The directory's use cases' dependencies, as this process wires them. */
export function directoryDeps(infra: Infrastructure): DirectoryDeps {
  return { store: infra.eventStore, directory: infra.directory, users: infra.users, ids: infra.ids };
}

/** The write-side use cases' dependencies, as this process wires them. */
export function useCaseDeps(infra: Infrastructure): UseCaseDeps {
  return {
    store: infra.eventStore,
    directory: infra.directory,
    ids: infra.ids,
    cache: infra.streamCache,
    reminderPolicies: infra.reminderPolicies,
    evidence: evidenceIndex(infra),
  };
}

/**
 * Uploaded evidence as the reference checks read it: the record from the evidence store, the citations from the audit.
 */
export function evidenceIndex(infra: Pick<Infrastructure, 'evidence' | 'pool'>): EvidenceIndex {
  return { record: (id) => infra.evidence.record(id), streamsCiting: (id) => streamsCitingEvidence(infra.pool, id) };
}

export async function startInfrastructure(
  config: AppConfig,
  overrides: { clock?: Clock; ids?: IdGenerator } = {},
): Promise<Infrastructure> {
  const closers: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= closeInReverse(closers, 'the infrastructure'));
  try {
    const databaseUrl = config.databaseUrl ?? (await startEmbedded(config, closers));
    const pool = createPool(databaseUrl, { max: config.databasePoolSize });
    closers.push(() => shutdownStep('the database pool', () => pool.end()));
    await migrate(pool, allMigrations);
    const { eventStore, projectionSource } = await openEventStore(config, pool);
    closers.push(() => shutdownStep('the event store', () => eventStore.close()));
    const queues = new JobQueues(
      config.redisUrl
        ? { kind: 'redis', url: config.redisUrl, prefix: config.redisPrefix }
        : { kind: 'postgres', url: databaseUrl },
    );
    closers.push(() => shutdownStep('the job queues', () => queues.close()));
    const idempotency = new PostgresIdempotencyStore(pool);
    closers.push(() => shutdownStep('the idempotency claims', () => idempotency.close()));
    const infra: Infrastructure = {
      config,
      embedded: config.databaseUrl === null,
      databaseUrl,
      pool,
      eventStore,
      projectionSource,
      users: new PostgresUserRepository(pool),
      idempotency,
      directory: new PostgresDirectory(pool),
      reminderPolicies: new PostgresReminderPolicies(pool),
      deliveries: new PostgresDeliveries(pool),
      queues,
      sessions: new PostgresSessions(pool),
      evidence: evidenceStoreOf(config.evidence, closers),
      imports: new PostgresImports(pool),
      passwordHasher: new ScryptPasswordHasher(),
      clock: overrides.clock ?? new SystemClock(),
      ids: overrides.ids ?? new RandomUuidGenerator(),
      streamCache: new StreamStateCache(),
      jwtSecret: config.jwtSecret ?? localJwtSecret(config.dataDir),
      close,
    };
    return infra;
  } catch (error) {
    // What failed to close as well is of less interest than why the start failed.
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * The event store EVENTSTORE chose: PostgreSQL in the pool, or EventStoreDB, checked to answer and to be recent
 * enough (a server that is too old is a setting to change: `ConfigurationError`) before the process goes on.
 */
async function openEventStore(
  config: AppConfig,
  pool: Pool,
): Promise<{ eventStore: EventStore; projectionSource: ProjectionEventSource | undefined }> {
  if (config.eventStore.kind === 'postgres')
    return { eventStore: new PostgresEventStore(pool), projectionSource: undefined };
  // The EventStoreDB client is loaded only when it is chosen (170 ms and ~20 MB at the start of every other process).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esdb = require('@zhenggai/eventstoredb') as typeof import('@zhenggai/eventstoredb');
  const { EsdbEventStore, EsdbProjectionSource, UnsupportedServerError } = esdb;
  const store = EsdbEventStore.connect(config.eventStore.url);
  try {
    await store.requireSupportedServer();
    await store.readHead();
  } catch (error) {
    await store.close().catch(() => undefined);
    if (error instanceof UnsupportedServerError)
      throw new ConfigurationError([`ESDB_URL (${config.eventStore.url}): ${error.message}`]);
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`EventStoreDB at ESDB_URL (${config.eventStore.url}) does not answer: ${why}`, { cause: error });
  }
  return { eventStore: store, projectionSource: new EsdbProjectionSource(store) };
}

async function startEmbedded(config: AppConfig, closers: Array<() => Promise<void>>): Promise<string> {
  const embedded = await startEmbeddedPostgres({
    dataDir: join(config.dataDir, 'postgres'),
    port: config.embeddedPostgresPort,
    notice: (message) => console.warn(`zhenggai: ${message}`),
  });
  closers.push(() => shutdownStep('the embedded PostgreSQL', () => embedded.stop()));
  return embedded.url;
}

/** The embedded default keeps a generated secret beside its data, so tokens survive a restart. */
function localJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    inDataDir(dataDir, () => {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(48).toString('base64'), { mode: 0o600 });
    });
  }
  return readFileSync(file, 'utf8').trim();
}

/** A read-only, full or forbidden DATA_DIR stops the start with one sentence that says so. */
function inDataDir(dataDir: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    throw DataFolderError.fromErrno(dataDir, error) ?? error;
  }
}
