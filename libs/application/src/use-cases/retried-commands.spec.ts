import { Actor, CommandMetadata, findingStreamName, taskStreamName } from '@zhenggai/domain';
import { BulletinDocument, BulletinFigures } from '../bulletins/bulletin-document';
import { registerUnit } from '../directory/directory-commands';
import { EvidenceRecord, EvidenceStore, uploadEvidence } from '../evidence/evidence-store.port';
import { commandIdOf } from '../ids/command-id';
import { FakeDirectory } from '../testing/fake-directory';
import { assignmentInWangyan, findingInWangyan } from '../testing/wangyan-scene';
import { StoreWithFaults } from '../testing/store-with-faults';
import { UserRepository } from '../users/user-repository.port';
import { assignTask } from './assign-task';
import { executeTaskCommand } from './execute-task-command';
import { fileFinding } from './file-finding';
import { issueBulletin } from './issue-bulletin';
import { UseCaseDeps } from './use-case-deps';

const inspector: Actor = { userId: 'u-inspector', username: 'inspector', role: 'inspector' };
const otherInspector: Actor = { userId: 'u-other', username: 'other', role: 'inspector' };
const unit: Actor = { userId: 'u-unit', username: 'wangyan', role: 'unit', unitId: 'wangyan-town' };
const colleague: Actor = { userId: 'u-colleague', username: 'wangyan-2', role: 'unit', unitId: 'wangyan-town' };
const admin: Actor = { userId: 'u-admin', username: 'admin', role: 'admin' };

/** A command sent under an Idempotency-Key: every attempt has the same command id (and correlation id). */
const keyed = (actor: Actor, key: string): CommandMetadata => {
  const commandId = commandIdOf(actor.userId, key);
  return { actor, now: '2026-12-01T09:00:00+08:00', correlationId: commandId, commandId };
};
const unkeyed = (actor: Actor): CommandMetadata => ({ actor, now: '2026-12-01T09:00:00+08:00', correlationId: 'c' });

const finding = findingInWangyan();
const assignment = (findingId: string) => assignmentInWangyan(findingId);

function world() {
  const store = new StoreWithFaults();
  const directory = new FakeDirectory();
  let next = 0;
  const deps: UseCaseDeps = {
    store,
    directory,
    ids: { newId: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}` },
  };
  const ofType = (type: string) => store.events.filter((e) => e.type === type);
  return { store, directory, deps, ofType };
}

describe('a command sent again under the same Idempotency-Key', () => {
  it(
    'files one finding: the retry of an attempt that stored it (and died ' + 'before answering) answers with it',
    async () => {
      const { deps, ofType } = world();
      const first = await fileFinding(deps, finding, keyed(inspector, 'K'));
      const retry = await fileFinding(deps, finding, keyed(inspector, 'K'));
      expect(retry).toEqual(first);
      expect(ofType('FindingFiled')).toHaveLength(1);
      expect(ofType('FindingFiled')[0].metadata.correlationId).toBe(commandIdOf(inspector.userId, 'K'));
      // Another user's key K is a command of its own; without a key, sending it twice is filing twice.
      expect((await fileFinding(deps, finding, keyed(otherInspector, 'K'))).id).not.toBe(first.id);
      await fileFinding(deps, finding, unkeyed(inspector));
      await fileFinding(deps, finding, unkeyed(inspector));
      expect(ofType('FindingFiled')).toHaveLength(4);
    },
  );

  it('files once a row of an import committed twice: the import correlates, the row identifies', async () => {
    const { deps, ofType } = world();
    const row = (commandId: string): CommandMetadata => ({
      actor: inspector,
      now: '2026-12-01T09:00:00+08:00',
      correlationId: 'import-1',
      commandId,
    });
    const filed = await fileFinding(deps, finding, row('row-1'));
    const assigned = await assignTask(deps, assignment(filed.id), row('row-1-task'));
    // Committed again, or the same file imported again (another import id): the row is the same command.
    const again = { ...row('row-1'), correlationId: 'import-2' };
    expect(await fileFinding(deps, finding, again)).toEqual(filed);
    expect(await assignTask(deps, assignment(filed.id), { ...again, commandId: 'row-1-task' })).toEqual(assigned);
    expect(ofType('FindingFiled')).toHaveLength(1);
    expect(ofType('RectificationTaskAssigned')).toHaveLength(1);
    expect(ofType('FindingFiled')[0].metadata).toMatchObject({ correlationId: 'import-1', commandId: 'row-1' });
  });

  it(
    'assigns one task when the first attempt failed between the task and ' + 'its link: the retry links that task',
    async () => {
      const { store, deps, ofType } = world();
      const { id: findingId } = await fileFinding(deps, finding, unkeyed(inspector));
      store.beforeNextAppendTo(findingStreamName(findingId), async () => {
        throw new Error('the link could not be stored');
      });
      const metadata = keyed(inspector, 'assign-1');
      await expect(
        assignTask(deps, { ...assignment(findingId), expectedFindingRevision: 0 }, metadata),
      ).rejects.toThrow('the link could not be stored');
      expect(ofType('RectificationTaskAssigned')).toHaveLength(1);
      expect(ofType('FindingTaskLinked')).toHaveLength(0);

      const retry = await assignTask(deps, { ...assignment(findingId), expectedFindingRevision: 0 }, metadata);
      const assigned = ofType('RectificationTaskAssigned');
      expect(assigned).toHaveLength(1);
      expect(retry).toEqual({ id: assigned[0].data.taskId, revision: 0, findingId, findingRevision: 1 });
      expect(ofType('FindingTaskLinked').map((e) => e.data.taskId)).toEqual([retry.id]);
      // And again, once the first answer was lost too: the same answer, nothing appended.
      const count = store.events.length;
      expect(await assignTask(deps, assignment(findingId), metadata)).toEqual(retry);
      expect(store.events.length).toBe(count);
    },
  );

  it(
    'answers with the link the worker made meanwhile, carrying the ' +
      'command’s correlation id, and links nothing twice',
    async () => {
      const { store, deps, ofType } = world();
      const { id: findingId } = await fileFinding(deps, finding, unkeyed(inspector));
      const metadata = keyed(inspector, 'assign-2');
      store.beforeNextAppendTo(findingStreamName(findingId), async () => {
        throw new Error('killed between the two appends');
      });
      await expect(
        assignTask(deps, { ...assignment(findingId), expectedFindingRevision: 0 }, metadata),
      ).rejects.toThrow();
      const taskId = ofType('RectificationTaskAssigned')[0].data.taskId as string;
      // The finding reactor heals the link, with the assignment's correlation id.
      await store.appendToStream(
        findingStreamName(findingId),
        [
          {
            type: 'FindingTaskLinked',
            data: { findingId, taskId },
            metadata: { actor: inspector, correlationId: metadata.correlationId },
          },
        ],
        { expectedRevision: 0 },
      );
      await store.appendToStream(
        findingStreamName(findingId),
        [{ type: 'FindingResolved', data: { findingId, taskIds: [] }, metadata: { correlationId: 'later' } }],
        { expectedRevision: 1 },
      );
      // The retry carries the first attempt's If-Match, which the finding has moved past since.
      expect(await assignTask(deps, { ...assignment(findingId), expectedFindingRevision: 0 }, metadata)).toEqual({
        id: taskId,
        revision: 0,
        findingId,
        findingRevision: 1,
      });
      expect(ofType('FindingTaskLinked')).toHaveLength(1);
    },
  );

  it('records a progress report once, also when the retry lost the race to the attempt still running', async () => {
    const { store, deps, ofType } = world();
    const { id: findingId } = await fileFinding(deps, finding, unkeyed(inspector));
    const { id: taskId } = await assignTask(deps, assignment(findingId), unkeyed(inspector));
    await executeTaskCommand(deps, taskId, { type: 'AcceptRectificationTask', data: {}, metadata: unkeyed(unit) });
    const report = (metadata: CommandMetadata, note = '已拆三户') => ({
      type: 'ReportRectificationProgress' as const,
      data: { quantityDone: null, note, evidence: [] },
      metadata,
    });
    const metadata = keyed(unit, 'progress-1');

    // The first attempt appends between the retry's read and its append (the retry took over a claim too early).
    store.beforeNextAppendTo(taskStreamName(taskId), async () => {
      await executeTaskCommand(deps, taskId, report({ ...metadata, now: '2026-12-01T08:59:00+08:00' }));
    });
    const retry = await executeTaskCommand(deps, taskId, report(metadata), 1);
    expect(retry).toEqual({ id: taskId, revision: 2, status: 'in_progress', changed: true, earlierAttempt: true });
    expect(ofType('RectificationTaskProgressReported')).toHaveLength(1);

    // Sent again later, after the task moved on: still the first answer, with the If-Match it was sent with.
    await executeTaskCommand(deps, taskId, report(unkeyed(unit), '又拆两户'));
    expect(await executeTaskCommand(deps, taskId, report(metadata), 1)).toEqual(retry);
    expect(ofType('RectificationTaskProgressReported')).toHaveLength(2);
  });

  it('is not fooled by another user’s event that carries its correlation id (a forged X-Correlation-Id)', async () => {
    const { deps, ofType } = world();
    const { id: findingId } = await fileFinding(deps, finding, unkeyed(inspector));
    const { id: taskId } = await assignTask(deps, assignment(findingId), unkeyed(inspector));
    await executeTaskCommand(deps, taskId, { type: 'AcceptRectificationTask', data: {}, metadata: unkeyed(unit) });
    const mine = keyed(unit, 'K');
    const forged = { ...unkeyed(colleague), correlationId: mine.correlationId };
    await executeTaskCommand(deps, taskId, {
      type: 'ReportRectificationProgress',
      data: { quantityDone: null, note: '同事的汇报', evidence: [] },
      metadata: forged,
    });
    const answer = await executeTaskCommand(deps, taskId, {
      type: 'ReportRectificationProgress',
      data: { quantityDone: null, note: '我的汇报', evidence: [] },
      metadata: mine,
    });
    expect(answer).toMatchObject({ revision: 3, changed: true, earlierAttempt: false });
    expect(ofType('RectificationTaskProgressReported').map((e) => e.data.note)).toEqual(['同事的汇报', '我的汇报']);
  });

  it('stores an upload once: the retry answers with the file its earlier attempt stored', async () => {
    const { files, store, clock } = evidenceInMemory();
    const deps = { store, ids: { newId: () => `id-${files.size}` }, clock };
    const upload = {
      bytes: Buffer.from('照片'),
      contentType: 'image/jpeg',
      fileName: '旱厕.jpg',
      capturedAt: null,
      uploadedBy: 'wangyan',
    };
    const commandId = commandIdOf(unit.userId, 'upload-1');
    const first = await uploadEvidence(deps, { ...upload, commandId });
    expect(await uploadEvidence(deps, { ...upload, commandId })).toEqual(first);
    expect(files.size).toBe(1);
    expect((await uploadEvidence(deps, upload)).id).not.toBe(first.id);
  });

  it(
    'registers one unit when the first attempt died after the directory ' + 'had it: its name is taken by itself',
    async () => {
      const { directory, store, deps } = world();
      const users = {} as UserRepository;
      const input = { name: '王堰镇卫生院', regionId: 'wangyan', headName: null, contact: null };
      const first = await registerUnit({ ...deps, users }, input, keyed(admin, 'unit-1'));
      expect(await directory.findUnitByName('王堰镇卫生院')).toMatchObject({ id: first.id });
      const retry = await registerUnit({ ...deps, users }, input, keyed(admin, 'unit-1'));
      expect(retry).toEqual(first);
      expect(store.events.filter((e) => e.type === 'UnitRegistered')).toHaveLength(1);
      // The retry applied its events again (idempotent by revision), for an attempt that died before the tables.
      expect(directory.applied.map((c) => [c.streamName, c.revision])).toEqual([
        [`unit-${first.id}`, 0],
        [`unit-${first.id}`, 0],
      ]);
      // Without the key, the same name is refused.
      await expect(registerUnit({ ...deps, users }, input, unkeyed(admin))).rejects.toMatchObject({
        code: 'DUPLICATE',
      });
    },
  );

  it('issues one new version of a bulletin: the retry of a reissue answers with the version it recorded', async () => {
    const { deps, ofType } = world();
    const evidence = evidenceInMemory();
    const bulletinDeps = { ...deps, files: evidence.store, clock: evidence.clock, ...bulletinMaker() };
    const input = { scope: { regionId: null, campaignId: null }, period: { from: '2026-11-23', to: '2026-11-29' } };
    const { id } = await issueBulletin(
      bulletinDeps,
      { ...input, asOf: '2026-11-30T00:00:00+08:00' },
      unkeyed(inspector),
    );
    const reissue = { ...input, bulletinId: id, asOf: '2026-12-01T08:00:00+08:00' };
    const first = await issueBulletin(bulletinDeps, reissue, keyed(inspector, 'reissue-1'));
    const retry = await issueBulletin(bulletinDeps, reissue, keyed(inspector, 'reissue-1'));
    expect(first.version).toBe(2);
    expect(retry).toEqual({ id, revision: first.revision, version: 2, files: first.files });
    expect(ofType('BulletinIssued').map((e) => e.data.version)).toEqual([1, 2]);
  });
});

/** An evidence store in memory, and a clock a minute on at each reading. */
function evidenceInMemory() {
  const files = new Map<string, { record: EvidenceRecord; bytes: Buffer }>();
  const store: EvidenceStore = {
    put: async (record, bytes) => void files.set(record.id, { record, bytes }),
    get: async (id) => files.get(id) ?? null,
    record: async (id) => files.get(id)?.record ?? null,
  };
  let now = Date.parse('2026-12-01T01:00:00Z');
  return { files, store, clock: { now: () => new Date((now += 60_000)) } };
}

/** A bulletin's content and files, the same few words for any request: only their recording is under test. */
function bulletinMaker() {
  const figures = { asOf: '', totals: { tasks: 0 } } as unknown as BulletinFigures;
  const document = (title: string | null): BulletinDocument => ({
    issuer: '督查组',
    docNumber: '',
    title: title ?? '情况通报',
    addressee: '',
    intro: [],
    headline: [],
    sections: [],
    signature: { issuer: '督查组', dateText: '' },
    footnote: '',
  });
  return {
    bulletins: { compose: async ({ title }: { title: string | null }) => ({ document: document(title), figures }) },
    renderer: { pdf: async () => Buffer.from('%PDF'), docx: async () => Buffer.from('PK') },
  };
}

describe('an assignment beside another on the same finding', () => {
  it('assigns its task once and links it after the link another assignment stored meanwhile', async () => {
    const { store, deps, ofType } = world();
    const { id: findingId } = await fileFinding(deps, finding, unkeyed(inspector));
    // Another assignment links its task between this one's read of the finding and its append.
    store.beforeNextAppendTo(findingStreamName(findingId), async () => {
      await store.appendToStream(
        findingStreamName(findingId),
        [{ type: 'FindingTaskLinked', data: { findingId, taskId: 'task-beside' }, metadata: { correlationId: 'b' } }],
        { expectedRevision: 0 },
      );
    });

    const assigned = await assignTask(deps, assignment(findingId), unkeyed(inspector));

    expect(ofType('RectificationTaskAssigned').map((e) => e.data.taskId)).toEqual([assigned.id]);
    expect(ofType('FindingTaskLinked').map((e) => e.data.taskId)).toEqual(['task-beside', assigned.id]);
    expect(assigned).toMatchObject({ revision: 0, findingRevision: 2 });
  });
});
