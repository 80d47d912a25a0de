import {
  Actor,
  CommandMetadata,
  DomainError,
  findingStreamName,
  NotFoundError,
  taskStreamName,
  ValidationError,
} from '@zhenggai/domain';
import { EvidenceRecord } from '../evidence/evidence-store.port';
import { References } from './references';
import { FakeDirectory } from '../testing/fake-directory';
import { InMemoryEventStore } from '../testing/in-memory-event-store';
import { assignmentInWangyan, findingInWangyan } from '../testing/wangyan-scene';
import { assignTask } from '../use-cases/assign-task';
import { executeTaskCommand, TaskLifecycleCommand } from '../use-cases/execute-task-command';
import { fileFinding } from '../use-cases/file-finding';
import { launchCampaign } from '../use-cases/launch-campaign';
import { UseCaseDeps } from '../use-cases/use-case-deps';

const funanInspector: Actor = { userId: 'u1', username: 'funan-inspector', role: 'inspector', regionScopeId: 'funan' };
const cityInspector: Actor = { userId: 'u2', username: 'inspector', role: 'inspector' };
const wangyanUnit: Actor = { userId: 'u3', username: 'wangyan', role: 'unit', unitId: 'wangyan-town' };
const jiangzhaiUnit: Actor = { userId: 'u4', username: 'jiangzhai', role: 'unit', unitId: 'jiangzhai-town' };
const at = (actor: Actor): CommandMetadata => ({ actor, now: '2026-12-01T09:00:00+08:00', correlationId: 'c' });

const NO_SUCH = '7d1c0e2a-0000-4000-8000-000000000000';
const photo = (id: string, uploadedBy: string): EvidenceRecord => ({
  id,
  sha256: 'a'.repeat(64),
  capturedAt: '2026-12-01T01:00:00.000Z',
  receivedAt: '2026-12-01T01:00:00.000Z',
  contentType: 'image/png',
  size: 3,
  fileName: null,
  uploadedBy,
});

function world() {
  const store = new InMemoryEventStore();
  const evidence = new Map<string, EvidenceRecord>();
  const citations = new Map<string, string[]>();
  let next = 0;
  const deps: UseCaseDeps = {
    store,
    directory: new FakeDirectory(),
    ids: { newId: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}` },
    evidence: { record: async (id) => evidence.get(id) ?? null, streamsCiting: async (id) => citations.get(id) ?? [] },
  };
  const count = async () => (await store.readAll()).length;
  /** A finding in 王堰镇 with a task for 王堰镇's town government, accepted. */
  const taskInWangyan = async () => {
    const finding = await fileFinding(deps, findingInWangyan({ title: '道路破损' }), at(funanInspector));
    const task = await assignTask(deps, assignmentInWangyan(finding.id, { measures: '修路' }), at(funanInspector));
    await executeTaskCommand(deps, task.id, { type: 'AcceptRectificationTask', data: {}, metadata: at(wangyanUnit) });
    return { findingId: finding.id, taskId: task.id };
  };
  return { deps, store, evidence, citations, count, taskInWangyan };
}

/** The refusal a command gets, as the API would show it: kind, code, field and words. */
async function refusal(
  run: () => Promise<unknown>,
): Promise<{ kind: string; code: string; field?: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      kind: error.kind,
      code: error.code,
      field: (error as ValidationError).field,
      message: error.message.replace(/\b(region|unit|campaign|evidence) \S+/g, '$1 <id>'),
    };
  }
  throw new Error('the command was accepted');
}

describe('references a command names: they exist and lie within the actor’s reach, checked in one place', () => {
  it(
    'reassign refuses a unit of another county exactly as assign does, and ' +
      'as a unit that does not exist; nothing is stored',
    async () => {
      const { deps, count, taskInWangyan } = world();
      const { findingId, taskId } = await taskInWangyan();
      const before = await count();
      const reassign = (unitId: string, cooperatingUnitIds: string[] = []): TaskLifecycleCommand => ({
        type: 'ReassignRectificationTask',
        data: { leadUnitId: unitId, cooperatingUnitIds, reason: '调整' },
        metadata: at(funanInspector),
      });
      const assign = (unitId: string, cooperatingUnitIds: string[] = []) =>
        assignTask(
          deps,
          {
            findingId,
            leadUnitId: unitId,
            cooperatingUnitIds,
            deadline: '2030-06-30',
            measures: '修路',
            target: null,
            campaignId: null,
            title: null,
          },
          at(funanInspector),
        );

      const outside = await refusal(() => executeTaskCommand(deps, taskId, reassign('jiangzhai-town')));
      expect(outside).toEqual({
        kind: 'validation',
        code: 'UNKNOWN_UNIT',
        field: 'unitId',
        message: expect.any(String),
      });
      expect(await refusal(() => executeTaskCommand(deps, taskId, reassign(NO_SUCH)))).toEqual(outside);
      expect(await refusal(() => assign('jiangzhai-town'))).toEqual(outside);
      const cooperating = await refusal(() =>
        executeTaskCommand(deps, taskId, reassign('caiying-village', ['wangyan-town', 'jiangzhai-town'])),
      );
      expect(cooperating).toMatchObject({ code: 'UNKNOWN_UNIT', field: 'cooperatingUnitIds.1' });
      expect(await refusal(() => assign('caiying-village', ['wangyan-town', 'jiangzhai-town']))).toEqual(cooperating);
      expect(await count()).toBe(before);

      // Within reach: a village of the county, and the city's office above the place.
      expect((await executeTaskCommand(deps, taskId, reassign('caiying-village', ['city-office']))).changed).toBe(true);
      // The city's inspector reaches the whole tree.
      expect(
        (await executeTaskCommand(deps, taskId, { ...reassign('jiangzhai-town'), metadata: at(cityInspector) }))
          .changed,
      ).toBe(true);
    },
  );

  it('a campaign outside the inspector’s reach is one that does not exist: no task is linked into it', async () => {
    const { deps, count, taskInWangyan } = world();
    const { findingId } = await taskInWangyan();
    const campaign = async (regionId: string) =>
      (
        await launchCampaign(
          deps,
          { name: regionId, description: '', deadline: '2030-12-31', scope: { regionId, category: null }, targets: [] },
          at(cityInspector),
        )
      ).id;
    const linquanCampaign = await campaign('linquan');
    const cityWide = (
      await launchCampaign(
        deps,
        {
          name: '全市',
          description: '',
          deadline: '2030-12-31',
          scope: { regionId: null, category: null },
          targets: [],
        },
        at(cityInspector),
      )
    ).id;
    const funanCampaign = await campaign('funan');
    const assign = (campaignId: string) =>
      assignTask(
        deps,
        {
          findingId,
          leadUnitId: 'wangyan-town',
          cooperatingUnitIds: [],
          deadline: '2030-06-30',
          measures: '修路',
          target: null,
          campaignId,
          title: null,
        },
        at(funanInspector),
      );
    const before = await count();

    const outside = await refusal(() => assign(linquanCampaign));
    expect(outside).toMatchObject({ kind: 'validation', code: 'UNKNOWN_CAMPAIGN', field: 'campaignId' });
    expect(await refusal(() => assign(NO_SUCH))).toEqual(outside);
    expect(await count()).toBe(before);
    await expect(assign(funanCampaign)).resolves.toMatchObject({ revision: 0 });
    // A city-wide campaign concerns the county.
    await expect(assign(cityWide)).resolves.toMatchObject({ revision: 0 });
  });

  it('a command may cite only uploaded evidence the actor could already read, with its own SHA-256', async () => {
    const { deps, store, evidence, citations, count, taskInWangyan } = world();
    const { taskId } = await taskInWangyan();
    const theirs = '11111111-1111-4111-8111-111111111111';
    const mine = '22222222-2222-4222-8222-222222222222';
    const sharedWithMe = '33333333-3333-4333-8333-333333333333';
    evidence.set(theirs, photo(theirs, 'jiangzhai'));
    evidence.set(mine, photo(mine, 'wangyan'));
    evidence.set(sharedWithMe, photo(sharedWithMe, 'funan-inspector'));
    citations.set(theirs, ['rectificationTask-00000000-0000-4000-8000-00000000ffff']);
    citations.set(sharedWithMe, [
      findingStreamName((await store.readAll())[0].streamName.slice('finding-'.length)),
      taskStreamName(taskId),
    ]);
    const progress = (ref: string, sha256?: string): TaskLifecycleCommand => ({
      type: 'ReportRectificationProgress',
      data: {
        quantityDone: null,
        note: '进展',
        evidence: [{ ref: 'site-photo.jpg' }, { ref, ...(sha256 ? { sha256 } : {}) }],
      },
      metadata: at(wangyanUnit),
    });
    const before = await count();

    const stranger = await refusal(() => executeTaskCommand(deps, taskId, progress(`evidence:${theirs}`)));
    expect(stranger).toMatchObject({ kind: 'validation', code: 'UNKNOWN_EVIDENCE', field: 'evidence.1.ref' });
    expect(await refusal(() => executeTaskCommand(deps, taskId, progress(`evidence:${NO_SUCH}`)))).toEqual(stranger);
    expect(await refusal(() => executeTaskCommand(deps, taskId, progress(theirs)))).toEqual(stranger);
    expect(
      await refusal(() => executeTaskCommand(deps, taskId, progress(`evidence:${mine}`, 'b'.repeat(64)))),
    ).toMatchObject({ code: 'EVIDENCE_HASH_MISMATCH', field: 'evidence.1.sha256' });
    expect(await count()).toBe(before);

    await expect(executeTaskCommand(deps, taskId, progress(`evidence:${mine}`, 'a'.repeat(64)))).resolves.toMatchObject(
      { changed: true },
    );
    await expect(executeTaskCommand(deps, taskId, progress(`evidence:${sharedWithMe}`))).resolves.toMatchObject({
      changed: true,
    });
    // A unit of another county reads neither the task nor the finding that cite it.
    const other = await refusal(() =>
      fileFinding(
        deps,
        {
          title: 't',
          description: '',
          regionId: 'jiangzhai',
          category: 'roads',
          severity: 'low',
          source: '',
          evidence: [{ ref: `evidence:${sharedWithMe}` }],
        },
        at({ ...jiangzhaiUnit, role: 'inspector', regionScopeId: 'linquan' }),
      ),
    );
    expect(other).toMatchObject({ code: 'UNKNOWN_EVIDENCE', field: 'evidence.0.ref' });
  });

  it('a finding is filed only in a region of the actor’s reach and a category that is defined', async () => {
    const { deps, count } = world();
    const file = (regionId: string, category = 'roads') =>
      fileFinding(
        deps,
        { title: '道路破损', description: '', regionId, category, severity: 'low', source: '', evidence: [] },
        at(funanInspector),
      );
    const outside = await refusal(() => file('jiangzhai'));
    expect(outside).toMatchObject({ code: 'UNKNOWN_REGION', field: 'regionId' });
    expect(await refusal(() => file(NO_SUCH))).toEqual(outside);
    expect(await refusal(() => file('wangyan', 'no-such-category'))).toMatchObject({
      code: 'UNKNOWN_CATEGORY',
      field: 'category',
    });
    expect(await count()).toBe(0);
  });

  it('a task outside the actor’s reach is not found before any reference is looked at', async () => {
    const { deps, taskInWangyan } = world();
    const { taskId } = await taskInWangyan();
    const linquanInspector: Actor = {
      userId: 'u5',
      username: 'linquan-inspector',
      role: 'inspector',
      regionScopeId: 'linquan',
    };
    await expect(
      executeTaskCommand(deps, taskId, {
        type: 'ReassignRectificationTask',
        data: { leadUnitId: 'jiangzhai-town', cooperatingUnitIds: [], reason: '调整' },
        metadata: at(linquanInspector),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('references as a person writes them (a 问题清单 row)', () => {
  const registered = async (directory: FakeDirectory, unitId: string, name: string, regionId: string) =>
    directory.apply([
      { streamName: `unit-${unitId}`, revision: 0, type: 'UnitRegistered', data: { unitId, name, regionId } },
    ]);

  it('takes a place by its name under the names of its parents, and only within reach', async () => {
    const references = new References(world().deps);
    expect((await references.regionWritten(funanInspector, 'wangyan/caiying', 'place')).id).toBe('caiying');
    expect((await references.regionWritten(funanInspector, 'funan caiying', 'place')).id).toBe('caiying');
    await expect(references.regionWritten(funanInspector, 'linquan/caiying', 'place')).rejects.toMatchObject({
      code: 'UNKNOWN_REGION',
    });
    await expect(references.regionWritten(funanInspector, 'jiangzhai', 'place')).rejects.toMatchObject({
      code: 'UNKNOWN_REGION',
    });
    expect((await references.regionWritten(cityInspector, 'jiangzhai', 'place')).id).toBe('jiangzhai');
  });

  it('of units of one name, takes the one that may work at the place, and refuses to guess between two', async () => {
    const { deps } = world();
    const directory = deps.directory as FakeDirectory;
    await registered(directory, 'wangyan-gov', '镇人民政府', 'wangyan');
    await registered(directory, 'jiangzhai-gov', '镇人民政府', 'jiangzhai');
    const references = new References(deps);
    expect((await references.unitWritten(funanInspector, 'caiying', '镇人民政府', 'leadUnit')).id).toBe('wangyan-gov');
    await expect(references.unitWritten(cityInspector, 'caiying', '镇人民政府', 'leadUnit')).rejects.toMatchObject({
      code: 'AMBIGUOUS_UNIT',
      field: 'leadUnit',
    });
    await expect(references.unitWritten(funanInspector, 'caiying', '县政府', 'leadUnit')).rejects.toMatchObject({
      code: 'UNKNOWN_UNIT',
    });
  });

  it('takes a category by its code or its name', async () => {
    const references = new References(world().deps);
    expect((await references.categoryWritten('道路', 'category')).code).toBe('roads');
    expect((await references.categoryWritten('roads', 'category')).code).toBe('roads');
    await expect(references.categoryWritten('桥梁', 'category')).rejects.toMatchObject({ code: 'UNKNOWN_CATEGORY' });
  });
});
