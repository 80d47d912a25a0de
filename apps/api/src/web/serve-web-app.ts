import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` put the web app: `web` beside the compiled code in `dist` (the built processes and the
 * image run from dist/apps/…), or `dist/web` of the repository (the sources, as the tests run them). Found by
 * walking up from this file, so that it does not depend on how deep the compiled file lies.
 */
export function webAppDir(from: string = __dirname): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidates = basename(dir) === 'dist' ? [join(dir, 'web')] : [join(dir, 'dist', 'web')];
    const found = candidates.find((candidate) => existsSync(join(candidate, 'index.html')));
    if (found) return found;
    if (dirname(dir) === dir) return null;
  }
}

const API_PATH = /^\/(api|health)(\/|\?|$)/;
const FILE_PATH = /\/[^/?]*\.[a-z0-9]+(\?|$)/i;

/**
 * The web app for inspectors, units and leadership, from the same origin as the API (no CORS, one strict CSP).
 * Built files are served as they are, scripts and styles in the Brotli or gzip copy the build made when the browser
 * accepts it (hashed assets cached for a year, index.html never); any other GET that is not under /api or /health
 * and does not name a file is a route of the app, answered with index.html. A path under /api or /health that no
 * controller knows stays the API's 404 problem document.
 */
export async function serveWebApp(app: NestFastifyApplication, dir: string | null = webAppDir()): Promise<void> {
  if (dir === null) {
    new Logger('WebApp').warn(
      'the web app is not built (no dist/web/index.html): `npm run build` builds it; the API answers without it',
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // The build's Brotli and gzip copies of the scripts and styles, to browsers that accept them.
    preCompressed: true,
    setHeaders: (reply, path) => {
      reply.header(
        'cache-control',
        path.includes(join('/', 'assets', '/')) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/*', (request: FastifyRequest, reply: FastifyReply) => {
    if (API_PATH.test(request.url) || FILE_PATH.test(request.url)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
