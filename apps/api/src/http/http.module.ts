import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { IdempotencyHooks } from './idempotency.hooks';
import { ProblemDetailsFilter } from './problem-details.filter';

/** What every route shares over HTTP: errors as problem details, answers kept for retried `Idempotency-Key`s. */
@Module({
  providers: [IdempotencyHooks, { provide: APP_FILTER, useClass: ProblemDetailsFilter }],
  exports: [IdempotencyHooks],
})
export class HttpModule {}
