import { assignTask, GlobalPosition } from '@zhenggai/application';
import { Actor, DIRECTORY_EVENT_PREFIXES, findingStreamName } from '@zhenggai/domain';
import { directoryFixtures, Infrastructure, loadConfig, startInfrastructure, useCaseDeps } from '@zhenggai/platform';
import { createPool, PostgresCheckpointStore, PostgresDirectory, PostgresEventStore } from '@zhenggai/postgres';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { everyEventReadable } from '../../../../test/support/every-event-readable';
import { assignmentCutOffBeforeItsLink, assignmentOf, filedFinding } from '../../../../test/support/queue-backends';
import { checkpointReaches } from '../../../../test/support/checkpoint-reaches';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { openWorkerCommands } from '../commands/worker-commands.module';
import { ReminderRecipients } from '../reminders/reminder-recipients';
import { DIRECTORY_TABLES, DirectoryTablesReactor } from '../directory/directory-tables.reactor';
import { FINDING_RESOLUTION, FindingResolutionReactor } from '../finding-resolution/finding-resolution.reactor';

/**
 * Issue 16, point 1: the worker's durable reactions hold a pooled connection for each read, append and checkpoint.
 * One terminated by PostgreSQL (a restart, `pg_terminate_backend`) at a known step used to end the reaction for
 * good (the directory tables' when saving its checkpoint, the finding resolution's at any step: it retried
 * nothing), so it stayed stopped until the process restarted. Now the step is retried and the reaction carries on.
 */
describe('durable reactions when PostgreSQL terminates their connection at a known step', () => {
  let database: TestDatabase;
  let infra: Infrastructure;
  let pool: Pool;
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null };
  const regionId = randomUUID();
  const unitId = randomUUID();
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    infra = await startInfrastructure(
      loadConfig({
        DATABASE_URL: database.url,
        JWT_SECRET: 'reactions-test-secret-long-enough-0123456789',
        REMINDERS: 'off',
      }),
    );
    pool = await closedAfterThisFile(
      Promise.resolve(createPool(database.url, { max: 3, applicationName: 'zg-test-reactor' })),
      (p) => (p.ended ? undefined : p.end()),
    );
    await directoryFixtures.region(infra, { id: regionId, code: '341225113201', name: '蔡郢村', level: 'village' });
    await directoryFixtures.category(infra, { code: 'sanitation', name: '改厕' });
    await directoryFixtures.unit(infra, { id: unitId, name: '蔡郢村民委员会', regionId });
  });
  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop();
    await pool?.end();
    await infra?.close();
    await database?.drop();
  });

  /**
   * The next call of `object[method]` finds its connection terminated (PostgreSQL's 57P01, as in a restart); later
   * calls go through.
   */
  function terminatedOnce<T extends object, K extends keyof T>(object: T, method: K): { calls: () => number } {
    const original = (object[method] as (...args: unknown[]) => Promise<unknown>).bind(object);
    let calls = 0;
    object[method] = (async (...args: unknown[]) => {
      if (++calls === 1) await pool.query('SELECT pg_terminate_backend(pg_backend_pid())');
      return original(...args);
    }) as T[K];
    return { calls: () => calls };
  }

  /** The position of the last event of these types: where a reaction that takes them saves its checkpoint. */
  const lastOf = async (prefixes: readonly string[]): Promise<GlobalPosition> => {
    await everyEventReadable(infra.eventStore);
    return (await infra.eventStore.readAll()).filter((e) => prefixes.some((p) => e.type.startsWith(p))).pop()!.position;
  };

  it(
    'the directory tables’ reaction saves its checkpoint again after its ' +
      'connection was terminated, and carries on',
    async () => {
      const checkpoints = new PostgresCheckpointStore(pool);
      const saving = terminatedOnce(checkpoints, 'save');
      const reactor = new DirectoryTablesReactor(
        new PostgresEventStore(pool),
        checkpoints,
        new PostgresDirectory(pool),
      );
      await reactor.start();
      stops.push(() => reactor.stop());

      await checkpointReaches(checkpoints, DIRECTORY_TABLES, await lastOf(DIRECTORY_EVENT_PREFIXES), 60_000, 50);
      expect(saving.calls()).toBeGreaterThanOrEqual(2);

      await directoryFixtures.unit(infra, { id: randomUUID(), name: '王堰镇人民政府', regionId });
      await checkpointReaches(checkpoints, DIRECTORY_TABLES, await lastOf(DIRECTORY_EVENT_PREFIXES), 60_000, 50);
    },
  );

  it(
    'the finding resolution reads again after its connection was ' +
      'terminated in the middle of a batch, and carries on',
    async () => {
      const deps = useCaseDeps(infra);
      const meta = () => ({
        actor: inspector,
        now: new Date().toISOString(),
        correlationId: randomUUID(),
        causationId: null,
      });
      const finding = { id: await filedFinding(infra, inspector, regionId, 'sanitation') };
      const assign = () => assignTask(deps, assignmentOf(finding.id, unitId), meta());
      // An assignment cut off before its link (a store that appends one stream at a time, as EventStoreDB): the
      // reaction reads the finding to link the task, in the middle of its batch. (An assignment it meets with its
      // link reads nothing.)
      await expect(assignmentCutOffBeforeItsLink(deps, finding.id, unitId, meta())).rejects.toThrow('killed between');

      const store = new PostgresEventStore(pool);
      const reading = terminatedOnce(store, 'readStream');
      const checkpoints = new PostgresCheckpointStore(pool);
      const { commands } = await closedAfterThisFile(
        openWorkerCommands({
          store,
          clock: infra.clock,
          recipients: new ReminderRecipients(infra.directory, infra.users),
        }),
        (opened) => opened.close(),
      );
      const reactor = new FindingResolutionReactor(store, checkpoints, commands);
      await reactor.start();
      stops.push(async () => {
        await reactor.stop();
        await store.close();
      });

      await checkpointReaches(checkpoints, FINDING_RESOLUTION, await lastOf(['RectificationTaskAssigned']), 60_000, 50);
      expect(reading.calls()).toBeGreaterThanOrEqual(2);
      const links = (await infra.eventStore.readStream(findingStreamName(finding.id))).filter(
        (e) => e.type === 'FindingTaskLinked',
      );
      expect(links).toHaveLength(1);

      await assign();
      await checkpointReaches(checkpoints, FINDING_RESOLUTION, await lastOf(['RectificationTaskAssigned']), 60_000, 50);
    },
  );
});
