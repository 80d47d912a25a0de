import { createPool, deliveryMigrations, migrate, NewDelivery, PostgresDeliveries } from '@zhenggai/postgres';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';

/**
 * The delivery ledger: each message sent is marked once, the marks of busy lanes share a statement; a recording call
 * learns which rows it wrote.
 */
describe('the delivery ledger', () => {
  let database: TestDatabase;
  let pool: Pool;
  let ledger: PostgresDeliveries;
  const taskId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4, applicationName: 'deliveries-test' });
    await migrate(pool, deliveryMigrations);
    ledger = new PostgresDeliveries(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const deliveries = (batch: string, n: number): NewDelivery[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `${batch}:${i}`,
      eventId: randomUUID(),
      taskId,
      reminderId: 'assigned',
      address: { kind: 'webhook', url: 'http://127.0.0.1:9/hook', format: 'json' },
      message: { title: '新交办任务', text: `第 ${i} 条` } as never,
      batch,
    }));

  /** Counts the mark statements PostgreSQL ran from here on (pg_stat_statements is not needed: a trigger counts). */
  async function countingStatements(): Promise<() => Promise<number>> {
    await pool.query(`
      CREATE TABLE IF NOT EXISTS mark_statements (n integer NOT NULL);
      TRUNCATE mark_statements;
      CREATE OR REPLACE FUNCTION count_mark() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO mark_statements VALUES (1); RETURN NULL; END $$;
      DROP TRIGGER IF EXISTS count_marks ON deliveries;
      CREATE TRIGGER count_marks AFTER UPDATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION count_mark();`);
    return async () => Number((await pool.query('SELECT count(*) AS n FROM mark_statements')).rows[0].n);
  }

  it('marks many messages sent at once in fewer statements than messages, each caller once its own is', async () => {
    await ledger.record(deliveries('burst', 40));
    const statements = await countingStatements();
    const marked = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await ledger.markDelivered(`burst:${i}`);
        // When a caller's mark resolves, its row says delivered (a lane sends nothing more before that).
        return (await ledger.get(`burst:${i}`))!.status;
      }),
    );
    expect(marked).toEqual(Array(40).fill('delivered'));
    expect(await ledger.pendingIn('burst')).toEqual([]);
    const ran = await statements();
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(ran).toBeLessThan(40);
    const attempts = (await pool.query(`SELECT DISTINCT attempts FROM deliveries WHERE batch = 'burst'`)).rows;
    expect(attempts).toEqual([{ attempts: 1 }]);
  });

  it('marks the messages sent in one request (made in one tick) in one statement', async () => {
    await ledger.record(deliveries('together', 12));
    const statements = await countingStatements();
    await Promise.all(Array.from({ length: 12 }, (_, i) => ledger.markDelivered(`together:${i}`)));
    expect(await statements()).toBe(1);
    expect(await ledger.pendingIn('together')).toEqual([]);
  });

  it('marks a message once however often it is marked, and tells every caller of a mark that failed', async () => {
    await ledger.record(deliveries('twice', 1));
    await Promise.all([ledger.markDelivered('twice:0'), ledger.markDelivered('twice:0')]);
    await ledger.markDelivered('twice:0');
    expect((await ledger.get('twice:0'))!.attempts).toBe(1);

    // A mark that cannot be written fails for each caller whose mark was in it, and the next marks go on.
    await ledger.record(deliveries('refused', 3));
    await pool.query(`
      CREATE OR REPLACE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'the ledger is read-only'; END $$;
      CREATE TRIGGER refuse_marks BEFORE UPDATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION refuse_mark();`);
    const outcomes = await Promise.allSettled([0, 1, 2].map((i) => ledger.markDelivered(`refused:${i}`)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toContain('read-only');
    await pool.query('DROP TRIGGER refuse_marks ON deliveries');
    await ledger.markDelivered('refused:1');
    expect((await ledger.pendingIn('refused')).map((d) => d.id)).toEqual(['refused:0', 'refused:2']);
  });
  it('tells a recording call which rows it wrote and which another holds; lists only those none holds', async () => {
    const pendingIds = async () =>
      (await ledger.pending(1000)).map((d) => d.id).filter((id) => id.startsWith('recorded:'));
    // Held for two minutes by the call that recorded them (it sends them at once).
    const held = deliveries('recorded', 2).map((d) => ({ ...d, heldForMs: 120_000 }));
    const first = await ledger.record(held);
    expect(first.map(({ id, fresh, held }) => ({ id, fresh, held }))).toEqual([
      { id: 'recorded:0', fresh: true, held: false },
      { id: 'recorded:1', fresh: true, held: false },
    ]);
    expect(await pendingIds()).toEqual([]);

    // Recorded again (a replay, another worker): the rows are there; one is still held, one's hold is over. A row
    // recorded with no hold is the reconciliation's at once.
    await pool.query(`UPDATE deliveries SET held_until = now() - interval '1 second' WHERE id = 'recorded:0'`);
    const again = await ledger.record(deliveries('recorded', 3));
    expect(again.map(({ id, batch, fresh, held }) => ({ id, batch, fresh, held }))).toEqual([
      { id: 'recorded:2', batch: 'recorded', fresh: true, held: false },
      { id: 'recorded:0', batch: 'recorded', fresh: false, held: false },
      { id: 'recorded:1', batch: 'recorded', fresh: false, held: true },
    ]);
    expect((await pendingIds()).sort()).toEqual(['recorded:0', 'recorded:2']);

    // Let go (handed to the queue): every pending row of the batch is the reconciliation's.
    await ledger.release(['recorded']);
    expect((await pendingIds()).sort()).toEqual(['recorded:0', 'recorded:1', 'recorded:2']);
  });

  it('reads the ledger newest first, a page at a time, each once, however many were recorded together', async () => {
    const paged = randomUUID();
    // 23 deliveries of one task: 12 recorded together (one instant), the others a microsecond or a day apart.
    await ledger.record(deliveries('paged', 23).map((d) => ({ ...d, taskId: paged })));
    await pool.query(
      `UPDATE deliveries SET created_at = created_at - (split_part(id, ':', 2)::int - 11) * interval '1 microsecond'
                                      - (split_part(id, ':', 2)::int % 3) * interval '1 day'
        WHERE task_id = $1 AND split_part(id, ':', 2)::int >= 12`,
      [paged],
    );
    await pool.query(
      `UPDATE deliveries SET status = 'failed' WHERE task_id = $1 AND split_part(id, ':', 2)::int % 2 = 1`,
      [paged],
    );
    const newestFirst = async (status?: 'failed') =>
      (
        await pool.query(
          `SELECT id FROM deliveries WHERE task_id = $1 AND ($2::text IS NULL OR status = $2)
          ORDER BY created_at DESC, id DESC`,
          [paged, status ?? null],
        )
      ).rows.map((r) => r.id as string);
    const walk = async (status?: 'failed') => {
      const ids: string[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await ledger.page({ taskId: paged, status, limit: 5, before });
        ids.push(...page.items.map((d) => d.id));
        if (page.next === null) return { ids, pages: pages + 1 };
        before = page.next;
      }
      throw new Error('the pages did not end');
    };

    const all = await walk();
    expect(all.ids).toEqual(await newestFirst());
    expect(all.ids).toHaveLength(23);
    expect(new Set(all.ids).size).toBe(23);
    expect(all.pages).toBe(5);
    const failed = await walk('failed');
    expect(failed.ids).toEqual(await newestFirst('failed'));
    expect(failed.ids).toHaveLength(11);
    // The list as the API had it: the newest `limit`.
    expect((await ledger.list({ taskId: paged, limit: 7 })).map((d) => d.id)).toEqual(all.ids.slice(0, 7));
    await expect(ledger.page({ limit: 5, before: 'yesterday' })).rejects.toThrow(RangeError);
  });
});
