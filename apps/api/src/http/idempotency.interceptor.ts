import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { IDEMPOTENCY_STORE, IdempotencyStore, StoredAnswer } from '@zhenggai/application';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import { findHostileInput } from './hostile-input';
import { ProblemException, toProblemDetails } from './problem-details';
import { AuthenticatedRequest, headerOf } from '../auth/authenticated-request';

const REPLAYED_HEADERS = ['etag', 'location'];
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on a POST: the first request with a key is executed and its answer kept (successes and
 * refusals alike, not server errors); a retry with the same key and the same request gets that answer again
 * and appends nothing; the same key on a different request is refused.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & Partial<AuthenticatedRequest>>();
    const response = http.getResponse<FastifyReply>();
    const key = headerOf(request, 'idempotency-key');
    if (request.method !== 'POST' || key === undefined || !request.actor) return next.handle();
    if (!KEY.test(key)) {
      throw ProblemException.badRequest('Idempotency-Key', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    // Hostile input (perhaps too deep for JSON.stringify, which recurses) is refused by the validation pipe
    // before anything is appended: there is no answer worth keeping.
    if (findHostileInput(request.body, 'body')) return next.handle();
    const scope = request.actor.userId;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${headerOf(request, 'if-match') ?? ''}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');

    return from(this.store.claim(scope, key, fingerprint)).pipe(
      mergeMap((claim) => {
        switch (claim.outcome) {
          case 'replay':
            return this.replay(claim.answer, response);
          case 'in-progress':
            return throwError(() =>
              ProblemException.of(409, 'IDEMPOTENCY_IN_PROGRESS', 'Request in progress', 'a request with this Idempotency-Key is still being processed; retry shortly'),
            );
          case 'mismatch':
            return throwError(() =>
              ProblemException.of(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request'),
            );
          case 'claimed':
            return next.handle().pipe(
              mergeMap((body) => from(this.store.complete(scope, key, this.answerOf(context, response, body))).pipe(mergeMap(() => of(body)))),
              catchError((error: unknown) => {
                const problem = toProblemDetails(error, request.url);
                const settle =
                  problem.status >= 500
                    ? this.store.release(scope, key)
                    : this.store.complete(scope, key, { status: problem.status, headers: {}, body: problem });
                return from(settle).pipe(mergeMap(() => throwError(() => error)));
              }),
            );
        }
      }),
    );
  }

  private answerOf(context: ExecutionContext, response: FastifyReply, body: unknown): StoredAnswer {
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    return { status, headers, body: body ?? null };
  }

  private replay(answer: StoredAnswer, response: FastifyReply): Observable<unknown> {
    response.header('Idempotent-Replayed', 'true');
    if (answer.status >= 400) return throwError(() => new ProblemException(answer.body as never));
    for (const [name, value] of Object.entries(answer.headers)) response.header(name, value);
    return of(answer.body);
  }
}
