import { createPool, idempotencyMigrations, migrate, PostgresIdempotencyStore } from '@zhenggai/postgres';
import type { Pool } from 'pg';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';

const ANSWER = { status: 201, headers: { etag: '"0"' }, body: { id: 'f-1', revision: 0 } };

/** Two API processes on one database: each its own pool and store (and with it its own claims session). */
describe('the PostgreSQL idempotency store: a claim lasts as long as its holder', () => {
  let database: TestDatabase;
  let pools: Record<'a' | 'b', Pool>;
  let a: PostgresIdempotencyStore;
  let b: PostgresIdempotencyStore;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  beforeEach(async () => {
    pools = {
      a: createPool(database.url, { max: 3, applicationName: 'process-a' }),
      b: createPool(database.url, { max: 3, applicationName: 'process-b' }),
    };
    await migrate(pools.a, idempotencyMigrations);
    await pools.a.query('TRUNCATE idempotency_keys');
    a = await closedAfterThisFile(Promise.resolve(new PostgresIdempotencyStore(pools.a)), (store) => store.close());
    b = await closedAfterThisFile(Promise.resolve(new PostgresIdempotencyStore(pools.b)), (store) => store.close());
  });

  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await Promise.all([pools.a.end(), pools.b.end()]);
  });

  /** Ends the claims session of process a, as PostgreSQL does when a's process is killed or cut off. */
  async function endClaimsSessionOf(name: string): Promise<void> {
    const { rows } = await pools.b.query<{ ended: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE ' +
        `application_name LIKE $1 || ':idempotency:%'`,
      [name],
    );
    expect(rows.map((row) => row.ended)).toEqual([true]);
    // Terminated is not yet gone: wait until PostgreSQL has let go of the session's locks.
    for (;;) {
      const { rows: left } = await pools.b.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE $1 || ':idempotency:%'`,
        [name],
      );
      if (left.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('answers "in progress" while the holder runs, and the kept answer once it completed', async () => {
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: false });
    expect(await b.claim('u1', 'K', 'fp')).toEqual({ outcome: 'in-progress' });
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'in-progress' }); // a second request to the holder itself
    expect(await b.claim('u1', 'K', 'other')).toEqual({ outcome: 'mismatch' });
    expect(await b.claim('u2', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: false }); // keys are per user
    await a.complete('u1', 'K', ANSWER);
    expect(await b.claim('u1', 'K', 'fp')).toEqual({ outcome: 'replay', answer: ANSWER });
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'replay', answer: ANSWER });
  });

  it('lets a retry resume the claim once its holder’s session is gone, and only then', async () => {
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: false });
    expect(await b.claim('u1', 'K', 'fp')).toEqual({ outcome: 'in-progress' });
    await endClaimsSessionOf('process-a');
    expect(await b.claim('u1', 'K', 'other')).toEqual({ outcome: 'mismatch' });
    expect(await b.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: true });
    // Now b holds it: a (with a new session) hears "in progress" until b answers.
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'in-progress' });
    await b.complete('u1', 'K', ANSWER);
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'replay', answer: ANSWER });
  });

  it(
    'ends a claim released after a server error: the next request resumes ' +
      'it, the same key for another request is refused',
    async () => {
      expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: false });
      await a.release('u1', 'K');
      expect(await b.claim('u1', 'K', 'other')).toEqual({ outcome: 'mismatch' });
      expect(await b.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: true });
      await b.release('u1', 'K');
      expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: true });
    },
  );

  it('ends the claims of a store that is closed (a process stopping mid-request)', async () => {
    expect(await a.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: false });
    await a.close();
    expect(await b.claim('u1', 'K', 'fp')).toEqual({ outcome: 'claimed', resumed: true });
  });

  it('gives one claim to concurrent requests with the same key, in one process or in two', async () => {
    const claims = await Promise.all([a, b, a, b, a, b].map((store) => store.claim('u1', 'K', 'fp')));
    expect(claims.filter((claim) => claim.outcome === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.outcome === 'in-progress')).toHaveLength(5);
  });
});
