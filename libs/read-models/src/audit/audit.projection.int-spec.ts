import { randomUUID } from 'node:crypto';
import { findingStreamName, SYSTEM_ACTOR, taskStreamName } from '@zhenggai/domain';
import { Infrastructure, loadConfig, startInfrastructure } from '@zhenggai/platform';
import { createTestDatabase } from '../../../../test/support/test-database';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { auditEntries, streamsCitingEvidence } from '../queries/audit.query';
import { projectAll } from '../testing/project-all';
import { auditProjection } from './audit.projection';

/** Appends one event to `stream`, which happened at 10:00 in Beijing on 1 July 2018 (by the system, unless told). */
function appendOne(
  infra: Infrastructure,
  stream: string,
  type: string,
  data: Record<string, unknown>,
  metadata: { actor?: unknown; correlationId?: string | null },
) {
  return infra.eventStore.appendToStream(
    stream,
    [
      {
        type,
        data,
        metadata: {
          actor: metadata.actor ?? SYSTEM_ACTOR,
          occurredAt: '2018-07-01T02:00:00.000Z',
          correlationId: metadata.correlationId ?? null,
          causationId: null,
        },
      },
    ],
    { expectedRevision: 'any' },
  );
}

/**
 * The audit's time range read from where it can start (issue 22): an event may be stored after later ones yet have
 * happened before them (its command's clock), and a range still finds it, whatever the batches it was projected in.
 */
// Far behind, a runner works each batch out while the one before is written, with what that one carries (its regions
// and latest time), none of it committed yet: the answers are the same either way.
const BATCHES = [
  ['applied one after another', false],
  ['each worked out before the one before is written', true],
] as const;

describe.each(BATCHES)('the audit read model’s time ranges (batches %s)', (_, ahead) => {
  let infra: Infrastructure;
  const taskId = randomUUID();
  // In store order; the third happened before the first two.
  const days = ['2018-07-01', '2018-07-03', '2018-06-29', '2018-07-05', '2018-07-04'];

  beforeAll(async () => {
    // Closed, and the database dropped, after this file.
    const { url } = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(40) });
    infra = await closedAfterThisFile(startInfrastructure(config), (i) => i.close());
    for (const [i, day] of days.entries())
      await infra.eventStore.appendToStream(
        taskStreamName(taskId),
        [
          {
            type: 'RectificationTaskProgressReported',
            data: { taskId, note: `report ${i}` },
            metadata: {
              actor: SYSTEM_ACTOR,
              // The last as a client's clock may write it, with its offset (the others as the engine's clock does).
              occurredAt:
                i === days.length - 1 ? `${day}T10:00:00+08:00` : new Date(`${day}T10:00:00+08:00`).toISOString(),
              correlationId: null,
              causationId: null,
            },
          },
        ],
        { expectedRevision: 'any' },
      );
    // Two events a batch: the latest time so far is carried from one batch to the next.
    await projectAll(infra.pool, infra.eventStore, [auditProjection], 'audit_range', 2, ahead);
  });

  const daysIn = async (from: string, to?: string, after?: string) =>
    (
      await auditEntries(
        infra.pool,
        { from: new Date(`${from}T00:00:00+08:00`), to: to ? new Date(`${to}T00:00:00+08:00`) : undefined },
        { page: 1, pageSize: 50, after },
      )
    ).items.map((e) => (e.data as { note: string }).note);

  it('finds the events of a range wherever they were stored, in store order', async () => {
    expect(await daysIn('2018-06-28')).toEqual(['report 0', 'report 1', 'report 2', 'report 3', 'report 4']);
    expect(await daysIn('2018-06-28', '2018-06-30')).toEqual(['report 2']);
    expect(await daysIn('2018-06-30')).toEqual(['report 0', 'report 1', 'report 3', 'report 4']);
    expect(await daysIn('2018-07-02', '2018-07-05')).toEqual(['report 1', 'report 4']);
    expect(await daysIn('2018-07-05')).toEqual(['report 3']);
    expect(await daysIn('2018-07-06')).toEqual([]);
  });

  it('walks a range page by page after a cursor', async () => {
    const walked: string[] = [];
    for (let after: string | undefined, next: string | null = ''; next !== null; after = next ?? undefined) {
      const page = await auditEntries(
        infra.pool,
        { from: new Date('2018-06-28T00:00:00+08:00'), to: new Date('2018-07-04T12:00:00+08:00') },
        { page: 1, pageSize: 1, after },
      );
      walked.push(...page.items.map((e) => (e.data as { note: string }).note));
      expect(page).toMatchObject({ total: 4, totalExact: true });
      next = page.next;
    }
    expect(walked).toEqual(['report 0', 'report 1', 'report 2', 'report 4']);
  });
});

/**
 * Each entry carries its stream's region, placed by the stream's first event: in the batch that places it, in later
 * batches, and unchanged by a later event that names another region. The entries' text arrives as written.
 */
describe.each(BATCHES)('the audit read model’s entries and their regions (batches %s)', (_, ahead) => {
  let infra: Infrastructure;
  const [finding, task, later] = [randomUUID(), randomUUID(), randomUUID()];
  const [north, south, east] = [randomUUID(), randomUUID(), randomUUID()];
  const note = '拆除旱厕\t407 座\n"已验收" \\ 备注';

  beforeAll(async () => {
    const { url } = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(40) });
    infra = await closedAfterThisFile(startInfrastructure(config), (i) => i.close());
    const append = (stream: string, type: string, data: Record<string, unknown>) =>
      appendOne(infra, stream, type, data, {
        actor: { userId: 'u-7', username: 'wangyan', role: 'unit', unitId: 'unit-3' },
        correlationId: 'corr-1',
      });
    // Two events a batch: [filed, assigned] [progress, assigned again elsewhere] [assigned, progress].
    await append(findingStreamName(finding), 'FindingFiled', { findingId: finding, regionId: north });
    await append(taskStreamName(task), 'RectificationTaskAssigned', { taskId: task, regionId: south });
    await append(taskStreamName(task), 'RectificationTaskProgressReported', { taskId: task, note });
    await append(taskStreamName(task), 'RectificationTaskAssigned', { taskId: task, regionId: east });
    await append(taskStreamName(later), 'RectificationTaskAssigned', { taskId: later, regionId: east });
    await append(taskStreamName(later), 'RectificationTaskProgressReported', { taskId: later, note: '进度' });
    await projectAll(infra.pool, infra.eventStore, [auditProjection], 'audit_regions', 2, ahead);
  });

  it('places every entry of a stream in the region its first event names', async () => {
    const { rows } = await infra.pool.query<{ stream_name: string; type: string; region_id: string }>(
      'SELECT stream_name, type, region_id FROM read_models.audit_entries ORDER BY position',
    );
    expect(rows.map((r) => [r.stream_name, r.type, r.region_id])).toEqual([
      [findingStreamName(finding), 'FindingFiled', north],
      [taskStreamName(task), 'RectificationTaskAssigned', south],
      [taskStreamName(task), 'RectificationTaskProgressReported', south],
      [taskStreamName(task), 'RectificationTaskAssigned', south],
      [taskStreamName(later), 'RectificationTaskAssigned', east],
      [taskStreamName(later), 'RectificationTaskProgressReported', east],
    ]);
  });

  it('keeps what the event says: its actor, times, correlation and data, tabs and line ends included', async () => {
    const page = await auditEntries(
      infra.pool,
      { type: 'RectificationTaskProgressReported' },
      { page: 1, pageSize: 5 },
    );
    expect(page.items[0]).toMatchObject({
      streamName: taskStreamName(task),
      revision: 1,
      actor: { userId: 'u-7', username: 'wangyan', role: 'unit', unitId: 'unit-3' },
      correlationId: 'corr-1',
      data: { taskId: task, note },
    });
    expect(new Date(page.items[0]!.occurredAt).toISOString()).toBe('2018-07-01T02:00:00.000Z');
  });
});

/**
 * Who may read an uploaded file is whoever may read a stream that cites it: the audit keeps each citation by the file's
 * id, and answers the streams that cite a file as the search of every entry's data did (which still answers while an
 * upgrade builds the generation that keeps them).
 */
describe('the files the audit’s entries cite', () => {
  let infra: Infrastructure;
  const [reported, submitted, nested, loose, shouted] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ].map(taskStreamName);
  const [one, two, unused, capitals] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    const { url } = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(40) });
    infra = await closedAfterThisFile(startInfrastructure(config), (i) => i.close());
    const append = (stream: string, type: string, data: Record<string, unknown>) =>
      appendOne(infra, stream, type, data, {});
    await append(reported, 'RectificationTaskProgressReported', {
      note: '已拆除',
      evidence: [{ ref: `evidence:${one}`, name: '照片.jpg' }, { ref: two }],
    });
    // Cited twice by one stream: the stream once.
    await append(submitted, 'RectificationTaskSubmitted', { report: '完成', evidence: [{ ref: `evidence:${one}` }] });
    await append(submitted, 'RectificationTaskSubmitted', { report: '补充', evidence: [{ ref: `evidence:${one}` }] });
    // Not citations: deeper in the data, a list of bare strings, a ref that is not text.
    await append(nested, 'RectificationTaskProgressReported', {
      note: '',
      detail: { evidence: [{ ref: `evidence:${two}` }] },
    });
    await append(loose, 'RectificationTaskProgressReported', {
      note: '',
      evidence: [`evidence:${two}`, null, { ref: 7 }],
    });
    // Cited in capitals, as the references check lets a command cite it; and material kept elsewhere, no file here.
    await append(shouted, 'RectificationTaskProgressReported', {
      note: '',
      evidence: [{ ref: `EVIDENCE:${capitals.toUpperCase()}` }, { ref: 'evidence:现场照片.jpg' }, { ref: '档案室' }],
    });
    await projectAll(infra.pool, infra.eventStore, [auditProjection], 'audit_citations', 2);
  });

  const citing = async (id: string) => (await streamsCitingEvidence(infra.pool, id)).sort();

  it('answers the streams that cite a file, by its id with or without the evidence: prefix', async () => {
    expect(await citing(one)).toEqual([reported, submitted].sort());
    expect(await citing(two)).toEqual([reported]);
    expect(await citing(unused)).toEqual([]);
  });

  it('reads a ref as the references check does: in capitals it cites; a name or a place does not', async () => {
    expect(await citing(capitals)).toEqual([shouted]);
    const { rows } = await infra.pool.query(
      'SELECT evidence_id FROM read_models.evidence_citations WHERE stream_name = $1',
      [shouted],
    );
    expect(rows).toEqual([{ evidence_id: capitals }]);
  });

  it('answers the same from every entry’s data, as while an upgrade builds the generation keeping them', async () => {
    const { pool } = infra;
    const kept = { one: await citing(one), two: await citing(two), unused: await citing(unused) };
    const definition = (await pool.query(`SELECT pg_get_viewdef('read_models.evidence_citations') AS d`)).rows[0]!
      .d as string;
    await pool.query('DROP VIEW read_models.evidence_citations');
    try {
      expect({ one: await citing(one), two: await citing(two), unused: await citing(unused) }).toEqual(kept);
    } finally {
      await pool.query(`CREATE VIEW read_models.evidence_citations AS ${definition}`);
    }
  });
});
