import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ProjectionRunner, readProjectionStatuses } from '@zhenggai/postgres';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { countingProjection, expectedCounts } from './testing/counting.projection';
import {
  allEvents,
  appendManyEvents,
  openProjectionTestDatabase,
  readCounts,
  waitUntilCaughtUp,
  type ProjectionTestDatabase,
} from './testing/projection-test-kit';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';

// The runner that dies runs in a child process, killed with SIGKILL while inside a batch's transaction.
const REGISTER_TS = path.resolve(__dirname, '../../../../test/support/register-ts.js');
const CHILD = path.resolve(__dirname, 'testing/projection-runner.child.ts');

describe('a projection runner killed in the middle of a batch', () => {
  let database: TestDatabase;
  let db: ProjectionTestDatabase;
  const children: ChildProcessWithoutNullStreams[] = [];
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await closedAfterThisFile(openProjectionTestDatabase(database.url), (d) => d.close());
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(runners.map((runner) => runner.stop()));
    await db?.close();
    await database?.drop();
  });

  function spawnRunner(name: string, batchSize: number, hangAtBatch: number) {
    const child = spawn(process.execPath, [
      '-r',
      REGISTER_TS,
      CHILD,
      database.url,
      name,
      String(batchSize),
      String(hangAtBatch),
    ]);
    children.push(child);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error('the runner process ended without answering');
      return JSON.parse(value as string) as Record<string, unknown>;
    };
    return { child, next };
  }

  async function runToTheEnd(name: string): Promise<ProjectionRunner> {
    const runner = new ProjectionRunner({
      pool: db.pool(),
      projection: countingProjection({ name }),
      leaseRetryMs: 100,
    });
    runners.push(runner);
    await runner.start();
    await waitUntilCaughtUp(runner, db.pool());
    return runner;
  }

  it('restarted, yields exactly the rows of an uninterrupted run', async () => {
    await appendManyEvents(db.store, 2_000);
    const { child, next } = spawnRunner('killed', 100, 4);
    const batches: Array<Record<string, unknown>> = [];
    for (let line = await next(); !line.hanging; line = await next()) if (line.batch) batches.push(line);

    // Three batches committed; the fourth has written its rows and not committed.
    expect(batches).toHaveLength(4);
    const [stored] = await readProjectionStatuses(db.pool(), ['killed']);
    expect(stored!.position).toBe(BigInt(batches[2]!.last as string));
    child.kill('SIGKILL');

    // The new runner takes the lease once the dead process's session is gone, and starts at the checkpoint.
    const restarted = await runToTheEnd('killed');
    const uninterrupted = await runToTheEnd('uninterrupted');

    const killedRows = (await readCounts(db.pool(), 'killed')).rows;
    expect(killedRows).toEqual((await readCounts(db.pool(), 'uninterrupted')).rows);
    expect(killedRows).toEqual(expectedCounts(await allEvents(db.store)));
    expect(restarted.status().position).toBe(uninterrupted.status().position);
  });
});
