import { FastifyAdapter } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { sendClientError, sendFrameworkError } from './problem-details.filter';

describe('sendFrameworkError', () => {
  it.each([
    ['a path parameter that is not UTF-8', '/tasks/%ED%A0%80', 400, 'FST_ERR_BAD_URL'],
    ['a path parameter longer than the limit', `/tasks/${'a'.repeat(5_000)}`, 414, 'FST_ERR_MAX_PARAM_LENGTH'],
  ])('answers %s, which Fastify refuses before any route runs, as a problem', async (_, url, status, code) => {
    const fastify = new FastifyAdapter({ frameworkErrors: sendFrameworkError }).getInstance();
    fastify.get('/tasks/:id', async () => ({ ok: true }));
    const answer = await fastify.inject({ method: 'GET', url });
    expect(answer.statusCode).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.json()).toMatchObject({ type: 'about:blank', status, code, instance: url });
    await fastify.close();
  });
});

describe('sendClientError', () => {
  /** What the server answers to raw bytes on a new connection, until it closes it. */
  async function rawAnswer(request: string): Promise<string> {
    const fastify = new FastifyAdapter({ clientErrorHandler: sendClientError }).getInstance();
    fastify.get('/tasks', async () => ({ ok: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as { port: number };
    try {
      return await new Promise<string>((resolve, reject) => {
        let answer = '';
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    } finally {
      await fastify.close();
    }
  }

  it.each([
    [
      'headers over the limit',
      `GET /tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['a request line that is not HTTP', 'NOT HTTP AT ALL\r\n\r\n', 400, 'MALFORMED_REQUEST'],
  ])(
    'answers %s, which Node refuses before Fastify sees a request, as a problem with a code',
    async (_, request, status, code) => {
      const answer = await rawAnswer(request);
      expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toMatch(/Content-Type: application\/problem\+json/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status, code });
    },
  );
});
