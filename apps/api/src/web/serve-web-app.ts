import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the web app (dist/web), seen from the sources and from the compiled dist/apps/api/src. */
export function webAppDir(): string | null {
  const candidates = [resolve(__dirname, '../../../../dist/web'), resolve(__dirname, '../../../dist/web'), resolve(__dirname, '../../../web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

const API_PATH = /^\/(api|health)(\/|\?|$)/;
const FILE_PATH = /\/[^/?]*\.[a-z0-9]+(\?|$)/i;

/**
 * The web app for inspectors, units and leadership, from the same origin as the API (no CORS, one strict CSP).
 * Built files are served as they are (hashed assets cached for a year, index.html never); any other GET that is
 * not under /api or /health and does not name a file is a route of the app, answered with index.html. A path
 * under /api or /health that no controller knows stays the API's 404 problem document.
 */
export async function serveWebApp(app: NestFastifyApplication, dir: string | null = webAppDir()): Promise<void> {
  if (dir === null) return;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes(join('/', 'assets', '/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/*', (request: FastifyRequest, reply: FastifyReply) => {
    if (API_PATH.test(request.url) || FILE_PATH.test(request.url)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
