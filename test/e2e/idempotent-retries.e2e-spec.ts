import { Client } from 'pg';
import { BUILT, BuiltProcess, demoDatabase, startBuiltProcess } from '../support/built-process';
import { eventually, HttpClient, login } from '../support/http-client';
import { closedAfterThisFile } from '../support/opened-for-this-file';
import { reactionsSettled, startTestApp, storedEvents, TestApp, testEventStoreOnEsdb } from '../support/test-app';
import { TestDatabase } from '../support/test-database';

const JWT_SECRET = 'retries-secret-that-is-long-enough-0123456789';
const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

/** A connection of the test's own to the app's database, to hold locks and install faults; closed after the file. */
function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'zhenggai-tests' });
  client.on('error', () => undefined);
  return closedAfterThisFile(
    client.connect().then(() => client),
    (opened) => opened.end(),
  );
}

/**
 * A retried `Idempotency-Key` gets its command's answer, and the command is done exactly once, when the first
 * attempt's process died in the middle of it or it failed between two appends. The faults are injected at the
 * step (a lock on the events table, SIGKILL, a trigger that fails one insert) on the PostgreSQL event store.
 */
(testEventStoreOnEsdb() ? describe.skip : describe)(
  'retrying a command after its first attempt failed half-way',
  () => {
    describe(
      'an API process killed while its append waits: the retry on another ' + 'process answers with what it stored',
      () => {
        const held: { database?: TestDatabase; first?: BuiltProcess; second?: BuiltProcess } = {};

        beforeAll(async () => {
          held.database = await demoDatabase(JWT_SECRET);
          const settings = { DATABASE_URL: held.database.url, JWT_SECRET };
          [held.first, held.second] = await Promise.all([
            startBuiltProcess(BUILT.api, settings),
            startBuiltProcess(BUILT.api, settings),
          ]);
        }, 180_000);

        afterAll(async () => {
          await Promise.all([held.first?.stop(5_000), held.second?.stop(5_000)]);
          await held.database?.drop();
        });

        it(
          'SIGKILL between claiming the key and storing the answer: the retry ' +
            'gets 201 with the stored finding, filed once',
          async () => {
            const [first, second] = [held.first!, held.second!];
            const [database, locker] = await Promise.all([connect(held.database!.url), connect(held.database!.url)]);
            const viaFirst = await login(first.http!, 'inspector');
            const viaSecond = await login(second.http!, 'inspector');
            const regionId = (await viaSecond.get('/api/regions')).body.find(
              (r: { name: string }) => r.name === '王堰镇',
            ).id;
            const body = { title: '进程被杀时提交的问题', regionId, category: 'sanitation', severity: 'medium' };
            const key = { 'Idempotency-Key': 'file-while-killed' };
            const filed = async () =>
              (
                await database.query<{ id: string }>(
                  `SELECT data->>'findingId' AS id FROM events WHERE type = 'FindingFiled' AND data->>'title' = $1`,
                  [body.title],
                )
              ).rows;

            // Nothing can be appended while the test holds the events table (another connection watches: one in a
            // transaction sees pg_stat_activity as it was when the transaction began).
            await locker.query('BEGIN');
            await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
            const lost = viaFirst.post('/api/findings', body, key).then(
              (answer) => answer,
              (error: unknown) => error,
            );
            // The first process has claimed the key and its append waits for the lock: kill it there.
            const appending = await eventually(
              async () => {
                const { rows } = await database.query<{ pid: number }>(
                  `SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%append_to_stream%'`,
                );
                return rows[0]?.pid;
              },
              60_000,
              50,
            );
            expect(await first.kill('SIGKILL')).toBeNull();
            expect(await lost).not.toHaveProperty('status'); // its client never got an answer
            // Its session holding its claims (where it has one) ends with it.
            await eventually(
              async () => {
                const { rows } = await database.query(
                  `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE '%:' || $1::text`,
                  [String(first.pid)],
                );
                return rows.length === 0 ? true : undefined;
              },
              60_000,
              50,
            );
            // Released, the orphaned append goes through: the first attempt stored its finding after all.
            await locker.query('ROLLBACK');
            await eventually(
              async () => {
                const { rows } = await database.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [appending]);
                return rows.length === 0 ? true : undefined;
              },
              60_000,
              50,
            );
            const stored = await filed();
            expect(stored).toHaveLength(1);

            const retry = await viaSecond.post('/api/findings', body, key);
            expect({ status: retry.status, body: retry.body }).toEqual({
              status: 201,
              body: { id: stored[0].id, revision: 0 },
            });
            expect(retry.headers.get('etag')).toBe('"0"');
            expect(retry.headers.get('location')).toBe(`/api/findings/${stored[0].id}`);
            expect(await filed()).toHaveLength(1);
            // Its answer is kept now: the next retry is a replay of it.
            const again = await viaSecond.post('/api/findings', body, key);
            expect({
              status: again.status,
              body: again.body,
              replayed: again.headers.get('idempotent-replayed'),
            }).toEqual({
              status: 201,
              body: retry.body,
              replayed: 'true',
            });
          },
        );
      },
    );

    describe('an assignment that failed between its task and its link (a trigger fails the link)', () => {
      let app: TestApp;
      let inspector: HttpClient;
      let unitId: string;
      let regionId: string;

      beforeAll(async () => {
        app = await startTestApp({ seed: true });
        inspector = await login(app.http, 'inspector');
        unitId = (await (await login(app.http, 'unit')).get('/api/auth/me')).body.unitId;
        regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '蔡郢村').id;
        await reactionsSettled(app);
      });
      afterAll(() => app?.close());

      it(
        'answers 500, and the retry with the same key completes that task ' + '(same id) instead of assigning a second',
        async () => {
          const findingId = (
            await inspector.post('/api/findings', {
              title: '交办时链接失败',
              regionId,
              category: 'sanitation',
              severity: 'low',
            })
          ).body.id as string;
          const events = async () =>
            (await storedEvents(app)).filter(
              (e) => e.data?.findingId === findingId || e.streamName === `finding-${findingId}`,
            );
          const ofType = async (type: string) => (await events()).filter((e) => e.type === type);
          // Every link of this finding fails to insert while the trigger stands: the worker's healing link too, which
          // could otherwise win the race for the finding's next revision (the request then finds the link stored and
          // answers 201). Once it is dropped, whichever of the two comes first links the task, once.
          await app.infra.pool.query(`
        CREATE FUNCTION zg_test_fail_link() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected fault: the link of the task to its finding is not stored'; END $$;
        CREATE TRIGGER zg_test_fail_link BEFORE INSERT ON events FOR EACH ROW
        WHEN (NEW.type = 'FindingTaskLinked' AND NEW.data->>'findingId' = '${findingId}')
        EXECUTE FUNCTION zg_test_fail_link();`);
          const body = { unitId, deadline: inDays(10), measures: '拆除旱厕', target: { quantity: 12, unit: '座' } };
          const key = { 'Idempotency-Key': 'assign-link-fails', 'If-Match': '"0"' };

          const failed = await inspector.post(`/api/findings/${findingId}/tasks`, body, key);
          expect(failed.status).toBe(500);
          const assigned = await ofType('RectificationTaskAssigned');
          expect(assigned).toHaveLength(1);
          const taskId = assigned[0].data.taskId as string;

          await app.infra.pool.query('DROP TRIGGER zg_test_fail_link ON events; DROP FUNCTION zg_test_fail_link();');
          const retry = await inspector.post(`/api/findings/${findingId}/tasks`, body, key);
          expect({ status: retry.status, id: retry.body.id, revision: retry.body.revision }).toEqual({
            status: 201,
            id: taskId,
            revision: 0,
          });
          expect(retry.headers.get('location')).toBe(`/api/tasks/${taskId}`);
          expect(retry.headers.get('etag')).toBe('"0"');
          await reactionsSettled(app);
          expect(await ofType('RectificationTaskAssigned')).toHaveLength(1);
          expect((await ofType('FindingTaskLinked')).map((e) => e.data.taskId)).toEqual([taskId]);
          expect((await inspector.get(`/api/findings/${findingId}`)).body.taskIds).toEqual([taskId]);
        },
      );
    });
  },
);
