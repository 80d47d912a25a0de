import { HttpAnswer, HttpClient, login } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 15, point 4: errors say what happened, with a stable code, and never a 500 for the client's mistake.
 * Each case is one that answered 500, a problem without a code, or a field the request does not have.
 */
jest.setTimeout(60_000);

describe('problems: what happened, with a stable code', () => {
  let app: TestApp;
  let inspector: HttpClient;
  let leader: HttpClient;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    [inspector, leader] = await Promise.all(['inspector', 'leader'].map((username) => login(app.http, username)));
  }, 120_000);
  afterAll(() => app?.close());

  function expectProblem(answer: HttpAnswer, status: number, code: string, field?: string): void {
    expect([answer.status, answer.headers.get('content-type')]).toEqual([status, expect.stringMatching(/^application\/problem\+json/)]);
    expect(answer.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code, ...(field === undefined ? {} : { field }) });
  }

  describe('answers the framework makes', () => {
    it('gives each a stable code: an unknown route, a body too large, a content type without a parser, a body that is not JSON', async () => {
      const unknown = await leader.get('/api/no-such-thing');
      expectProblem(unknown, 404, 'ROUTE_NOT_FOUND');
      expectProblem(await leader.request('DELETE', '/api/tasks', undefined, {}), 404, 'ROUTE_NOT_FOUND');
      expectProblem(await inspector.postRaw('/api/findings', JSON.stringify({ title: 'x'.repeat(300_000) })), 413, 'PAYLOAD_TOO_LARGE');
      expectProblem(await inspector.postRaw('/api/findings', '<finding/>', { 'content-type': 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await inspector.postRaw('/api/findings', '{"title":'), 400, 'MALFORMED_JSON', 'body');
      expectProblem(await app.http.get('/api/tasks'), 401, 'UNAUTHENTICATED');
    });
  });
});
