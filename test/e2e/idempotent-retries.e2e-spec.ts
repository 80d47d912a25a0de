import { HttpClient, login } from '../support/http-client';
import { reactionsSettled, startTestApp, storedEvents, TestApp, testEventStoreOnEsdb } from '../support/test-app';

const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

/**
 * A retried `Idempotency-Key` gets its command's answer, and the command is done exactly once, when the first
 * attempt failed between two appends. The fault is injected at the step (a trigger that fails one insert) on the
 * PostgreSQL event store.
 */
(testEventStoreOnEsdb() ? describe.skip : describe)('retrying a command after its first attempt failed half-way', () => {
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

    it('answers 500, and the retry with the same key completes that task (same id) instead of assigning a second', async () => {
      const findingId = (await inspector.post('/api/findings', { title: '交办时链接失败', regionId, category: 'sanitation', severity: 'low' })).body.id as string;
      const events = async () => (await storedEvents(app)).filter((e) => e.data?.findingId === findingId || e.streamName === `finding-${findingId}`);
      const ofType = async (type: string) => (await events()).filter((e) => e.type === type);
      // The request's own link (no causation id) of this finding fails to insert; the worker's healing link would not.
      await app.infra.pool.query(`
        CREATE FUNCTION zg_test_fail_link() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected fault: the link of the task to its finding is not stored'; END $$;
        CREATE TRIGGER zg_test_fail_link BEFORE INSERT ON events FOR EACH ROW
        WHEN (NEW.type = 'FindingTaskLinked' AND NEW.metadata->>'causationId' IS NULL AND NEW.data->>'findingId' = '${findingId}')
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
      expect({ status: retry.status, id: retry.body.id, revision: retry.body.revision }).toEqual({ status: 201, id: taskId, revision: 0 });
      expect(retry.headers.get('location')).toBe(`/api/tasks/${taskId}`);
      expect(retry.headers.get('etag')).toBe('"0"');
      await reactionsSettled(app);
      expect(await ofType('RectificationTaskAssigned')).toHaveLength(1);
      expect((await ofType('FindingTaskLinked')).map((e) => e.data.taskId)).toEqual([taskId]);
      expect((await inspector.get(`/api/findings/${findingId}`)).body.taskIds).toEqual([taskId]);
    });
  });
});
