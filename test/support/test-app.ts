import { INestApplication } from '@nestjs/common';
import { Clock, StoredEvent } from '@zhenggai/application';
import { closeInReverse, Infrastructure, loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { eventually, HttpClient } from './http-client';
import { EsdbDouble } from './esdb-double';
import { closedAfterThisFile } from './opened-for-this-file';
import { openTestDatabase } from './test-database';

export interface TestApp {
  readonly infra: Infrastructure;
  readonly app: INestApplication;
  readonly http: HttpClient;
  /** Closes the app, then its infrastructure and database: every part, even when one fails; idempotent. */
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  readonly seed?: boolean;
  readonly clock?: Clock;
  /** More configuration (`EVENTSTORE` and `ESDB_URL` among it: then no test double is started). */
  readonly env?: Record<string, string>;
  /** The URL the app is given for its new database (e.g. through a proxy a test can cut); default: that URL. */
  readonly databaseUrl?: (url: string) => string | Promise<string>;
}

/**
 * The real application (API and worker in one process, as the all-in-one runs it) on a fresh database of the
 * test PostgreSQL, listening on a free port. With `seed`, the demo story and accounts are loaded first.
 *
 * The switch for the event store: `EVENTSTORE=esdb` in the environment (or in `env`) runs the app on the
 * EventStoreDB adapter: on the server of `ESDB_URL` when set, otherwise on an EventStoreDB test double of its
 * own (over real gRPC), so that each app starts on an empty store as it does on PostgreSQL.
 *
 * The app is closed after the test file even when the file's hooks did not get to close it (see
 * opened-for-this-file), and a start that fails half-way closes what it had opened.
 */
export function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  return closedAfterThisFile(openTestApp(options), (app) => app.close());
}

/**
 * Each part is closed (in reverse) as soon as it is open, so that a start that fails half-way closes what it opened.
 */
async function openTestApp(options: StartTestAppOptions): Promise<TestApp> {
  const closers: Array<() => unknown> = [];
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= closeInReverse(closers, 'the test app'));
  try {
    const database = await openTestDatabase();
    closers.push(() => database.drop());
    const double =
      testEventStoreOnEsdb(options.env) && !process.env.ESDB_URL && !options.env?.ESDB_URL
        ? await EsdbDouble.start()
        : null;
    if (double) closers.push(() => double.stop());
    const eventStoreEnv: Record<string, string> = testEventStoreOnEsdb(options.env)
      ? { EVENTSTORE: 'esdb', ESDB_URL: double?.url ?? process.env.ESDB_URL! }
      : {};
    // Reminders fire by the time of day: tests about something else run without them unless they ask.
    const config = loadConfig({
      DATABASE_URL: options.databaseUrl ? await options.databaseUrl(database.url) : database.url,
      JWT_SECRET: 'e2e-secret-that-is-long-enough-0123456789',
      PORT: '0',
      REMINDERS: 'off',
      ...eventStoreEnv,
      ...options.env,
    });
    const infra = await startInfrastructure(config, { clock: options.clock });
    closers.push(() => infra.close());
    if (options.seed) await seedDemo(infra);
    const app = await createApiApp(infra, { imports: [WorkerModule.register(infra)], logger: ['error'] });
    closers.push(() => app.close());
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return { infra, app, http: new HttpClient(url), close };
  } catch (error) {
    // Why the start failed is what the test reports; what then failed to close is secondary.
    await close().catch(() => undefined);
    throw error;
  }
}

/** Whether the test apps store their events in EventStoreDB (`EVENTSTORE=esdb`), rather than in PostgreSQL. */
export function testEventStoreOnEsdb(env: Record<string, string> = {}): boolean {
  return (env.EVENTSTORE ?? process.env.EVENTSTORE)?.toLowerCase() === 'esdb';
}

/**
 * Every event the app has stored, through the event store port (so on either store), in position order: all that
 * is committed, including what PostgreSQL's `readAll` still holds back while any transaction on the (shared)
 * server is older. Where the store has no such holding back (EventStoreDB: positions in commit order), what was
 * read before is kept and only newer events are read, so that tests may call this after every request.
 */
export async function storedEvents(app: TestApp, after?: bigint): Promise<StoredEvent[]> {
  const store = app.infra.eventStore;
  if (store.readAllCommitted) return store.readAllCommitted({ after });
  const known = readSoFar.get(app) ?? [];
  readSoFar.set(app, known);
  known.push(...(await store.readAll({ after: known[known.length - 1]?.position ?? 0n })));
  return after === undefined ? [...known] : known.filter((event) => event.position > after);
}

const readSoFar = new WeakMap<TestApp, StoredEvent[]>();

/**
 * Waits until every projection has applied every event committed so far. `/health`'s lag counts only to the head
 * readers can see, which PostgreSQL holds back while any older transaction runs on the (shared) server: a view read
 * after `lag === 0` could still miss the test's last commands. This compares each projection's position with the
 * last committed event instead.
 */
export async function readModelsCaughtUp(app: TestApp, timeoutMs = 60_000): Promise<void> {
  const events = await storedEvents(app);
  const head = events.length > 0 ? events[events.length - 1]!.position : 0n;
  await eventually(async () => {
    const projections = (await app.http.get('/health')).body.projections as Array<{ position: string }> | undefined;
    return projections?.every((p) => BigInt(p.position ?? 0) >= head) ? true : undefined;
  }, timeoutMs);
}

/**
 * Waits until the app's reactions have been appended (the store stops growing for `quietMs`, at most 10 s): a test
 * that counts events must not count a reaction to what happened before it (the seed's findings resolving).
 */
export async function reactionsSettled(app: TestApp, quietMs = 500): Promise<void> {
  let count = (await storedEvents(app)).length;
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = (await storedEvents(app)).length;
    if (now === count) return;
    count = now;
  }
}
