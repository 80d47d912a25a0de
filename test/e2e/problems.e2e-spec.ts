import { taskStreamName } from '@zhenggai/domain';
import { HttpAnswer, HttpClient, login } from '../support/http-client';
import { reactionsSettled, startTestApp, storedEvents, testEventStoreOnEsdb, TestApp } from '../support/test-app';

/**
 * Issue 15, point 4: errors say what happened, with a stable code, and never a 500 for the client's mistake.
 * Each case is one that answered 500, a problem without a code, or a field the request does not have.
 */
jest.setTimeout(60_000);

describe('problems: what happened, with a stable code', () => {
  let app: TestApp;
  let inspector: HttpClient;
  let leader: HttpClient;
  let unit: HttpClient;
  let unitId: string;
  let regionId: string;
  let campaignId: string;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    [inspector, leader, unit] = await Promise.all(
      ['inspector', 'leader', 'unit'].map((username) => login(app.http, username)),
    );
    unitId = (await unit.get('/api/auth/me')).body.unitId;
    regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '蔡郢村').id;
    campaignId = (await leader.get('/api/campaigns')).body.find((c: { name: string }) => c.name === '危房改造清零').id;
  }, 120_000);
  afterAll(() => app?.close());

  const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);
  async function newTask(): Promise<string> {
    const filed = await inspector.post('/api/findings', {
      title: '村道破损',
      regionId,
      category: 'roads',
      severity: 'low',
    });
    const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId,
      deadline: inDays(10),
      measures: '修补',
      target: { quantity: 3, unit: '处' },
    });
    expect(assigned.status).toBe(201);
    return assigned.body.id;
  }

  function expectProblem(answer: HttpAnswer, status: number, code: string, field?: string): void {
    expect([answer.status, answer.headers.get('content-type')]).toEqual([
      status,
      expect.stringMatching(/^application\/problem\+json/),
    ]);
    expect(answer.body).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status,
      code,
      ...(field === undefined ? {} : { field }),
    });
  }

  describe('instants', () => {
    const views = () => [
      (q: string) => `/api/tasks?asOf=${q}`,
      (q: string) => `/api/views/deadlines?asOf=${q}`,
      (q: string) => `/api/units/scoreboard?asOf=${q}`,
      (q: string) => `/api/campaigns/${campaignId}/progress?asOf=${q}`,
      (q: string) => `/api/tasks/export?format=csv&asOf=${q}`,
      (q: string) => `/api/audit?from=${q}`,
      (q: string) => `/api/audit?to=${q}`,
    ];
    const fieldOf = (path: string) => /[?&](asOf|from|to)=/.exec(path)![1]!;

    it(
      'refuses an instant outside 1900–2999 (Asia/Shanghai) naming its ' + 'field, where PostgreSQL failed with a 500',
      async () => {
        const far = [
          '9999-12-31T23:59:59Z', // Shanghai's 10000-01-01: PostgreSQL's "time zone displacement out of range"
          '2999-12-31T16:00:00Z', // the first instant of 3000-01-01 in Shanghai
          '1899-12-31T23:59:59.999+08:00',
          '0001-01-01T00:00:00Z',
        ];
        for (const instant of far) {
          for (const path of views().map((view) => view(encodeURIComponent(instant)))) {
            expectProblem(await leader.get(path), 400, 'INVALID_FIELD', fieldOf(path));
          }
        }
      },
    );

    it(
      'refuses ISO 8601 forms JavaScript cannot read, and instants without ' +
        'an offset, where they answered 500 or meant the server’s time zone',
      async () => {
        const odd = [
          '2018-W40-1',
          '2018-273',
          '20180930T100000Z',
          '2018-09-30T10:00:00,5Z',
          '2018-09-30T24:00:00Z',
          '2018-02-30T10:00:00Z',
          '2018-09-30',
          '2018-09-30T10:00:00',
          '2018-09-30 10:00:00Z',
        ];
        for (const instant of odd) {
          for (const path of views().map((view) => view(encodeURIComponent(instant)))) {
            const answer = await leader.get(path);
            expectProblem(answer, 400, 'INVALID_FIELD', fieldOf(path));
            expect(answer.body.detail).toContain('2018-09-30T23:59:59+08:00');
          }
        }
      },
    );

    it('answers at both edges of the span, through the real queries', async () => {
      for (const instant of [
        '1900-01-01T00:00:00+08:00',
        '2999-12-31T23:59:59.999+08:00',
        '2999-12-31T15:59:59.999Z',
      ]) {
        for (const path of views().map((view) => view(encodeURIComponent(instant)))) {
          const answer = await leader.get(path);
          expect([path, answer.status]).toEqual([path, 200]);
        }
      }
      // Centuries after launch, the burndown stops ten years on: a row a day would be a million rows.
      const progress = await leader.get(
        `/api/campaigns/${campaignId}/progress?asOf=${encodeURIComponent('2999-12-31T23:59:59+08:00')}`,
      );
      expect(progress.body.burndown.length).toBe(3660);
    });

    it('takes X-Captured-At by the same rule, and X-File-Name only URI-encoded', async () => {
      const upload = (capturedAt: string) =>
        inspector.request<any>(
          'POST',
          '/api/evidence',
          new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
          { 'content-type': 'image/png', 'x-captured-at': capturedAt },
          true,
        );
      expectProblem(await upload('9999-12-31T23:59:59Z'), 400, 'INVALID_FIELD', 'X-Captured-At');
      expectProblem(await upload('1899-12-31T12:00:00+08:00'), 400, 'INVALID_FIELD', 'X-Captured-At');
      const kept = await upload('2018-07-05T10:00:00+08:00');
      // A header is read as Latin-1: a file name sent as raw UTF-8 is refused, not kept garbled.
      const raw = await inspector.request<any>(
        'POST',
        '/api/evidence',
        new Uint8Array([0x89]),
        { 'content-type': 'image/png', 'x-file-name': Buffer.from('照片.jpg').toString('latin1') },
        true,
      );
      expectProblem(raw, 400, 'INVALID_FIELD', 'X-File-Name');
      const named = await inspector.request<any>(
        'POST',
        '/api/evidence',
        new Uint8Array([0x89]),
        { 'content-type': 'image/png', 'x-file-name': encodeURIComponent('照片.jpg') },
        true,
      );
      expect([named.status, named.body.fileName]).toEqual([201, '照片.jpg']);
      expect([kept.status, kept.body.capturedAt]).toEqual([201, '2018-07-05T02:00:00.000Z']);
    });

    it(
      'refuses a deadline outside the span naming the field, where ' +
        '9999-12-31 was taken and its reminders fell in a year JavaScript ' +
        'writes otherwise',
      async () => {
        const finding = (
          await inspector.post('/api/findings', { title: '远期期限', regionId, category: 'roads', severity: 'low' })
        ).body.id;
        const assign = (deadline: string) =>
          inspector.post(`/api/findings/${finding}/tasks`, { unitId, deadline, measures: '修补' });
        for (const deadline of ['9999-12-31', '3000-01-01'])
          expectProblem(await assign(deadline), 400, 'INVALID_FIELD', 'deadline');
        expect((await assign('2999-12-31')).status).toBe(201);
        const taskId = await newTask();
        await unit.post(`/api/tasks/${taskId}/accept`);
        expectProblem(
          await unit.post(`/api/tasks/${taskId}/extension-requests`, { deadline: '3000-01-01', reason: '延期' }),
          400,
          'INVALID_FIELD',
          'deadline',
        );
        expectProblem(await inspector.get('/api/tasks?dueBefore=9999-12-31'), 400, 'INVALID_FIELD', 'dueBefore');
      },
    );
  });

  describe('bodies', () => {
    /** A finding titled 旱厕 and then `bytes`: the first two of 所's three bytes are not UTF-8. */
    const body = (bytes: number[]) =>
      Buffer.concat([
        Buffer.from(`{"title":"旱厕`),
        Buffer.from(bytes),
        Buffer.from(`","regionId":"${regionId}","category":"sanitation","severity":"low"}`),
      ]);
    const badUtf8 = () => body([0xe6, 0x89]);
    const post = (body: RequestInit['body'], extra: RequestInit = {}) =>
      fetch(`${app.http.baseUrl}/api/findings`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${(inspector as unknown as { token: string }).token}`,
        },
        body,
        ...extra,
      });

    it(
      'refuses a body that is not UTF-8, chunked or not, where the chunked ' +
        'one was stored with U+FFFD in its place',
      async () => {
        await reactionsSettled(app);
        const before = (await storedEvents(app)).length;
        const chunked = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(badUtf8()));
            controller.close();
          },
        });
        for (const answer of [
          await post(new Uint8Array(badUtf8())),
          await post(chunked, { duplex: 'half' } as RequestInit),
        ]) {
          expect(answer.status).toBe(400);
          expect(await answer.json()).toMatchObject({ status: 400, code: 'INVALID_UTF8', field: 'body' });
        }
        expect((await storedEvents(app)).length).toBe(before);
        // The same body with the character whole (厕所) is taken.
        expect((await post(new Uint8Array(body([0xe6, 0x89, 0x80])))).status).toBe(201);
      },
    );

    it(
      'names the key that poisons a prototype as the body has it, where ' +
        '`constructor.prototype` was reported as __proto__',
      async () => {
        const raw = (body: string) => inspector.postRaw('/api/findings', body);
        expectProblem(
          await raw('{"title":"x","constructor":{"prototype":{"polluted":1}}}'),
          400,
          'FORBIDDEN_KEY',
          'constructor',
        );
        expectProblem(
          await raw('{"title":"x","evidence":[{"ref":"a.jpg","__proto__":{"polluted":1}}]}'),
          400,
          'FORBIDDEN_KEY',
          'evidence.0.__proto__',
        );
        expectProblem(await raw('{"__proto__":{"isAdmin":true}}'), 400, 'FORBIDDEN_KEY', '__proto__');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      },
    );
  });

  describe('answers the framework makes', () => {
    it(
      'gives each a stable code: an unknown route, a body too large, a ' +
        'content type without a parser, a body that is not JSON',
      async () => {
        const unknown = await leader.get('/api/no-such-thing');
        expectProblem(unknown, 404, 'ROUTE_NOT_FOUND');
        expectProblem(await leader.request('DELETE', '/api/tasks', undefined, {}), 404, 'ROUTE_NOT_FOUND');
        expectProblem(
          await inspector.postRaw('/api/findings', JSON.stringify({ title: 'x'.repeat(300_000) })),
          413,
          'PAYLOAD_TOO_LARGE',
        );
        expectProblem(
          await inspector.postRaw('/api/findings', '<finding/>', { 'content-type': 'application/xml' }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
        expectProblem(await inspector.postRaw('/api/findings', '{"title":'), 400, 'MALFORMED_JSON', 'body');
        expectProblem(await app.http.get('/api/tasks'), 401, 'UNAUTHENTICATED');
      },
    );
  });

  describe('field names', () => {
    it(
      'names the request’s field when a reassignment is refused, where the ' + 'problem named the domain’s leadUnitId',
      async () => {
        const taskId = await newTask();
        const same = await inspector.post(`/api/tasks/${taskId}/reassign`, { unitId, reason: '改派' });
        expectProblem(same, 422, 'SAME_LEAD_UNIT', 'unitId');
        expect(same.body.errors).toEqual([{ field: 'unitId', message: expect.any(String) }]);
      },
    );

    it('names the request’s field for a refused extension and a refused assignment', async () => {
      const taskId = await newTask();
      await unit.post(`/api/tasks/${taskId}/accept`);
      const early = await unit.post(`/api/tasks/${taskId}/extension-requests`, { deadline: inDays(1), reason: '延期' });
      expectProblem(early, 422, 'EXTENSION_NOT_LATER', 'deadline');
      expect(early.body.detail).not.toContain('requestedDeadline');
      const finding = (
        await inspector.post('/api/findings', { title: '重复', regionId, category: 'roads', severity: 'low' })
      ).body.id;
      const both = await inspector.post(`/api/findings/${finding}/tasks`, {
        unitId,
        cooperatingUnitIds: [unitId],
        deadline: inDays(10),
        measures: '修补',
      });
      expectProblem(both, 422, 'LEAD_UNIT_ALSO_COOPERATING', 'cooperatingUnitIds');
    });
  });

  // A row deleted by hand is a PostgreSQL concern: EventStoreDB's log cannot be edited.
  (testEventStoreOnEsdb() ? describe.skip : describe)('a damaged stream', () => {
    it(
      'says the stream is damaged and how to verify it, where every later ' +
        'command answered 412 "is at revision 5, expected 4"',
      async () => {
        const taskId = await newTask();
        await unit.post(`/api/tasks/${taskId}/accept`);
        await unit.post(`/api/tasks/${taskId}/progress`, { quantityDone: 1, note: '已修补一处' });
        const stream = taskStreamName(taskId);
        const { rowCount } = await app.infra.pool.query(
          'DELETE FROM events WHERE stream_name = $1 AND stream_revision = ' +
            '(SELECT max(stream_revision) FROM events WHERE stream_name = $1)',
          [stream],
        );
        expect(rowCount).toBe(1);

        const next = await unit.post(`/api/tasks/${taskId}/progress`, { quantityDone: 2, note: '已修补两处' });
        expectProblem(next, 500, 'STREAM_DAMAGED');
        const verify = `GET /api/audit/verify?stream=${stream}`;
        expect(next.body).toMatchObject({ streamName: stream, verify });
        expect(next.body.detail).toContain(verify);
        expect(next.body.detail).toMatch(/records revision 2, but its last event is at 1/);

        const verified = await leader.get(`/api/audit/verify?stream=${stream}`);
        expect(verified.status).toBe(200);
        expect(verified.body).toMatchObject({
          ok: false,
          firstBroken: { streamName: stream, revision: 2, reason: 'end-mismatch', expected: '2', found: '1' },
        });
      },
    );
  });
});
