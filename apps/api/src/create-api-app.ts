import { DynamicModule, INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Infrastructure } from '@zhenggai/platform';
import { ensureActiveGeneration } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { ApiModule } from './api.module';
import { registerJsonBodyParser } from './http/json-body';
import { sendClientError, sendFrameworkError } from './http/problem-details.filter';
import { createValidationPipe } from './http/validation';
import { registerSecurityHeaders } from './http/security-headers';
import { IdempotencyHooks } from './http/idempotency.hooks';
import { registerEvidenceBodyParser } from './evidence/evidence-body';
import { registerSpreadsheetBodyParser } from './imports/spreadsheet-body';
import { serveWebApp } from './web/serve-web-app';

export interface ApiAppOptions {
  readonly logger?: LoggerService | LogLevel[] | false;
  /** More modules to host in the same process (the all-in-one adds the worker). */
  readonly imports?: DynamicModule[];
}

const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Build (not start) the HTTP application on the given adapters. Fastify rather than Express: on this
 * kind of machine it serves several times more requests per core, and the API is mostly small JSON commands.
 */
export async function createApiApp(infra: Infrastructure, options: ApiAppOptions = {}): Promise<INestApplication> {
  // Fastify's own refusals (an undecodable or over-long path) answer as problem documents too.
  // Behind a load balancer (TRUST_PROXY hops), the client's address for sign-in limits comes from X-Forwarded-For:
  // the addresses of the nearest TRUST_PROXY hops are trusted. Fastify 5.12 reads a bare number as "trust none" (a
  // direct client could add hops of its own), so the hop count is given as the function it used to build from it.
  const hops = infra.config.trustedProxies;
  const trustProxy = hops > 0 ? (_address: string, hop: number) => hop < hops : false;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: sendClientError,
    trustProxy,
  });
  const fastify = adapter.getInstance();
  registerJsonBodyParser(fastify);
  registerEvidenceBodyParser(fastify);
  registerSpreadsheetBodyParser(fastify);
  // The read models' views must exist before the first query, even before any worker has started.
  for (const projection of allProjections) await ensureActiveGeneration(infra.pool, projection);
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.register(infra, options.imports ?? []),
    adapter,
    {
      logger: options.logger ?? ['error', 'warn'],
      bodyParser: false,
    },
  );
  app.useGlobalPipes(createValidationPipe());
  app.get(IdempotencyHooks).register(fastify);
  // Security headers. The web app (dist/web) and the API docs are the HTML served: scripts only from files of
  // this origin, never inline; images also as data: and blob: URLs (evidence photos fetched with the token).
  registerSecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  // Strict CORS: no cross-site browser access unless an origin is listed in CORS_ORIGINS.
  app.enableCors({
    origin: infra.config.corsOrigins.length > 0 ? [...infra.config.corsOrigins] : false,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
    exposedHeaders: ['etag', 'location', 'retry-after'],
    maxAge: 600,
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('整改 — rectification workflow engine')
      .setDescription(
        'Findings become rectification tasks for responsible units, with ' +
          'deadlines and quantitative targets; every step is an event. ' +
          'Errors are RFC 9457 problem details. Commands answer with the new ' +
          'stream revision; send `If-Match` and `Idempotency-Key` as needed.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await serveWebApp(app as NestFastifyApplication);
  return app;
}
