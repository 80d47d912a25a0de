import { DynamicModule, INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Infrastructure } from '@zhenggai/platform';
import { ApiModule } from './api.module';
import { createValidationPipe } from './http/validation';

export interface ApiAppOptions {
  readonly logger?: LoggerService | LogLevel[] | false;
  /** More modules to host in the same process (the all-in-one adds the worker). */
  readonly imports?: DynamicModule[];
}

/** Build (not start) the HTTP application on the given adapters. */
export async function createApiApp(infra: Infrastructure, options: ApiAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.register(infra, options.imports ?? []), {
    logger: options.logger ?? ['error', 'warn'],
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: '256kb' });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.useGlobalPipes(createValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('整改 — rectification workflow engine')
      .setDescription(
        'Findings become rectification tasks for responsible units, with deadlines and quantitative targets; every step is an event. ' +
          'Errors are RFC 9457 problem details. Commands answer with the new stream revision; send `If-Match` and `Idempotency-Key` as needed.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
