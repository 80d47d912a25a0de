import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR, taskStreamName } from '@zhenggai/domain';
import { Infrastructure, loadConfig, startInfrastructure } from '@zhenggai/platform';
import { createTestDatabase } from '../../../../test/support/test-database';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { auditEntries } from '../queries/audit.query';
import { projectAll } from '../testing/project-all';
import { auditProjection } from './audit.projection';

/**
 * The audit's time range read from where it can start (issue 22): an event may be stored after later ones yet have
 * happened before them (its command's clock), and a range still finds it, whatever the batches it was projected in.
 */
describe('the audit read model’s time ranges', () => {
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
              occurredAt: new Date(`${day}T10:00:00+08:00`).toISOString(),
              correlationId: null,
              causationId: null,
            },
          },
        ],
        { expectedRevision: 'any' },
      );
    // Two events a batch: the latest time so far is carried from one batch to the next.
    await projectAll(infra.pool, infra.eventStore, [auditProjection], 'audit_range', 2);
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
