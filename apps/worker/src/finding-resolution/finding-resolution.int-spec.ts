import { assignTask, EventStore, StoredEvent } from '@zhenggai/application';
import { Actor, findingStreamName } from '@zhenggai/domain';
import { directoryFixtures, Infrastructure, loadConfig, startInfrastructure, useCaseDeps } from '@zhenggai/platform';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import { randomUUID } from 'node:crypto';
import { everyEventReadable } from '../../../../test/support/every-event-readable';
import { checkpointReaches } from '../../../../test/support/checkpoint-reaches';
import { assignmentCutOffBeforeItsLink, assignmentOf, filedFinding } from '../../../../test/support/queue-backends';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { WorkerCommand } from '../commands/worker-command';
import { openWorkerCommands } from '../commands/worker-commands.module';
import { ReminderRecipients } from '../reminders/reminder-recipients';
import { FINDING_RESOLUTION, FindingResolutionReactor } from './finding-resolution.reactor';

/**
 * The finding reaction heals an assignment that died before its link on the finding (交办 is two appends), and sends
 * no command for the tasks linked already, which a catch-up over a store's history meets by the thousand.
 */
describe('the finding resolution reaction linking tasks', () => {
  let database: TestDatabase;
  let infra: Infrastructure;
  const inspector: Actor = { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null };
  const regionId = randomUUID();
  const unitId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    infra = await closedAfterThisFile(
      startInfrastructure(
        loadConfig({
          DATABASE_URL: database.url,
          JWT_SECRET: 'finding-reaction-secret-long-enough-0123456789',
          REMINDERS: 'off',
        }),
      ),
      (opened) => opened.close(),
    );
    await directoryFixtures.region(infra, { id: regionId, code: '341225113201', name: '蔡郢村', level: 'village' });
    await directoryFixtures.category(infra, { code: 'sanitation', name: '改厕' });
    await directoryFixtures.unit(infra, { id: unitId, name: '蔡郢村民委员会', regionId });
  });
  afterAll(async () => {
    await infra?.close();
    await database?.drop();
  });

  const lastAssignment = async (): Promise<StoredEvent> =>
    (await infra.eventStore.readAll()).filter((e) => e.type === 'RectificationTaskAssigned').pop()!;

  /** Runs the reaction (reading through `store`) until it has passed the last assignment; the commands it sent. */
  async function reactionRunsOver(store: EventStore): Promise<{ sent: WorkerCommand<unknown>[] }> {
    const { commands } = await closedAfterThisFile(
      openWorkerCommands({
        store: infra.eventStore,
        clock: infra.clock,
        recipients: new ReminderRecipients(infra.directory, infra.users),
      }),
      (opened) => opened.close(),
    );
    const sent: WorkerCommand<unknown>[] = [];
    const checkpoints = new PostgresCheckpointStore(infra.pool);
    const reactor = new FindingResolutionReactor(store, checkpoints, {
      execute: (command) => (sent.push(command), commands.execute(command)),
    });
    await everyEventReadable(infra.eventStore);
    const last = await lastAssignment();
    await reactor.start();
    try {
      await checkpointReaches(checkpoints, FINDING_RESOLUTION, last.position);
    } finally {
      await reactor.stop();
    }
    return { sent };
  }

  it('links the task whose assignment died before its link, and sends no command for those linked', async () => {
    // given a finding with two tasks linked, and a third whose assignment was cut off before the link
    const deps = useCaseDeps(infra);
    const meta = () => ({ actor: inspector, now: new Date().toISOString(), correlationId: randomUUID() });
    const finding = { id: await filedFinding(infra, inspector, regionId, 'sanitation') };
    const input = assignmentOf(finding.id, unitId);
    const linked = [await assignTask(deps, input, meta()), await assignTask(deps, input, meta())];
    // (A store that appends one stream at a time, as EventStoreDB: on PostgreSQL both go in one transaction.)
    await expect(assignmentCutOffBeforeItsLink(deps, finding.id, unitId, meta())).rejects.toThrow('killed between');
    const linkedNow = async () =>
      (await infra.eventStore.readStream(findingStreamName(finding.id)))
        .filter((e) => e.type === 'FindingTaskLinked')
        .map((e) => e.data.taskId as string);
    expect(await linkedNow()).toEqual(linked.map((t) => t.id));

    // when the reaction reads the three assignments
    const { sent } = await reactionRunsOver(infra.eventStore);

    // then the third task is linked, by the one command sent
    const third = (await lastAssignment()).data.taskId as string;
    expect(await linkedNow()).toEqual([...linked.map((t) => t.id), third]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ input: { findingId: finding.id, taskId: third } });
  });

  it('reads no finding for the assignments whose links it meets with them (one append on PostgreSQL)', async () => {
    // given a finding with two tasks assigned, each linked in the same append
    const deps = useCaseDeps(infra);
    const meta = () => ({ actor: inspector, now: new Date().toISOString(), correlationId: randomUUID() });
    const finding = { id: await filedFinding(infra, inspector, regionId, 'sanitation') };
    const input = assignmentOf(finding.id, unitId);
    await assignTask(deps, input, meta());
    await assignTask(deps, input, meta());

    // when the reaction reads them
    const read: string[] = [];
    const counted = Object.create(infra.eventStore) as EventStore;
    counted.readStream = (stream, options) => (read.push(stream), infra.eventStore.readStream(stream, options));
    const { sent } = await reactionRunsOver(counted);

    // then it neither read the finding nor sent a command
    expect(read).not.toContain(findingStreamName(finding.id));
    expect(sent).toHaveLength(0);
  });
});
