import { FastifyAdapter } from '@nestjs/platform-fastify';
import { sendFrameworkError } from './problem-details.filter';

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
