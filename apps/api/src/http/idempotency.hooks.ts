import { Inject, Injectable, Logger } from '@nestjs/common';
import { commandIdOf, IDEMPOTENCY_STORE, IdempotencyStore, StoredAnswer } from '@zhenggai/application';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { headerOf } from '../access/authenticated-request';
import { BearerAuthenticator } from '../access/bearer-authenticator';
import { findHostileInput } from './hostile-input';
import { ProblemDetails, ProblemException, toProblemDetails } from './problem-details';
import { sendProblem } from './problem-details.filter';

const REPLAYED_HEADERS = ['etag', 'location'];
const KEY = /^[\x21-\x7e]{1,255}$/;
/** The public POST routes (sign-in and refresh: `@Public()`): their answers are sessions, never kept. */
const PUBLIC_POST_ROUTES = new Set(['/api/auth/login', '/api/auth/refresh']);

const CLAIM = Symbol('idempotency claim');
const COMMAND_ID = Symbol('command id');
type ClaimedRequest = FastifyRequest & {
  [CLAIM]?: { readonly scope: string; readonly key: string };
  [COMMAND_ID]?: string;
};

/**
 * The id of the command a request carries under a claimed `Idempotency-Key` (see `commandIdOf`): the same for every
 * attempt of it, so that a retry finds what an earlier attempt stored and creates the same ids. Undefined without a
 * key.
 */
export function commandIdOfRequest(request: FastifyRequest): string | undefined {
  return (request as ClaimedRequest)[COMMAND_ID];
}

/**
 * `Idempotency-Key` on a POST: the first request with a key is executed and its answer kept (successes and
 * refusals alike, not server errors); a retry with the same key and the same request gets that answer again
 * and appends nothing; the same key on a different request is refused. Keys are per user.
 *
 * An attempt that ends without a kept answer (a server error, its process killed, the answer not stored) gives
 * its claim up, and the next retry runs the command again as the same command (`commandIdOfRequest`): its
 * events are found by that id and its new ids follow from it, so it answers with what the earlier attempt
 * stored, and completes what that attempt left half done, rather than do it twice.
 *
 * Two Fastify hooks rather than a Nest interceptor: a global interceptor runs Nest's RxJS pipeline around every
 * request, keyed or not, and that was a fifth of a command's CPU. Before the handler, a keyed POST is
 * authenticated (an unauthenticated one is left for the guard to refuse) and its key claimed, or its kept answer
 * sent; when the answer is sent, it is kept.
 */
@Injectable()
export class IdempotencyHooks {
  private readonly logger = new Logger('Idempotency');

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    private readonly authenticator: BearerAuthenticator,
  ) {}

  register(fastify: FastifyInstance): void {
    // Callback hooks, so that a request without a key costs a header read and no promise.
    fastify.addHook('preHandler', (request: ClaimedRequest, reply, done) => {
      const key = headerOf(request, 'idempotency-key');
      if (request.method !== 'POST' || key === undefined) return done();
      this.beforeHandler(request, reply, key).then(
        (answered) => (answered ? undefined : done()),
        (error: unknown) => {
          // The idempotency store failed (the database away): nothing ran, so a retry may run it.
          this.logger.error(error instanceof Error ? error.stack : String(error));
          sendProblem(reply, toProblemDetails(error, request.url));
        },
      );
    });
    fastify.addHook('onSend', (request: ClaimedRequest, reply, payload, done) => {
      if (!request[CLAIM]) return done(null, payload);
      void this.keepAnswer(request, reply, payload).then(() => done(null, payload));
    });
  }

  /** Claims a POST's key, or answers at once (a kept answer, a key in use); true when it answered. */
  private async beforeHandler(request: ClaimedRequest, reply: FastifyReply, key: string): Promise<boolean> {
    if (PUBLIC_POST_ROUTES.has(request.routeOptions.url ?? '')) return false;
    const authenticated = await this.authenticator.authenticate(request).catch(() => null);
    if (!authenticated) return false; // the guard refuses the request, with the reason
    if (!KEY.test(key))
      return this.sendProblem(
        request,
        reply,
        ProblemException.badRequest('Idempotency-Key', 'Idempotency-Key must be 1 to 255 visible ASCII characters'),
      );
    // Hostile input (perhaps too deep for JSON.stringify, which recurses) is refused by the validation pipe
    // before anything is appended: there is no answer worth keeping.
    if (findHostileInput(request.body, 'body')) return false;
    const scope = authenticated.actor.userId;
    const ifMatch = headerOf(request, 'if-match') ?? '';
    const body = JSON.stringify(request.body ?? null);
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${ifMatch}\n${body}`)
      .digest('hex');
    const claim = await this.store.claim(scope, key, fingerprint);
    switch (claim.outcome) {
      case 'replay':
        return this.replay(reply, claim.answer);
      case 'in-progress':
        return this.sendProblem(
          request,
          reply,
          ProblemException.of(
            409,
            'IDEMPOTENCY_IN_PROGRESS',
            'Request in progress',
            'a request with this Idempotency-Key is still being processed; retry shortly',
          ),
        );
      case 'mismatch':
        return this.sendProblem(
          request,
          reply,
          ProblemException.of(
            422,
            'IDEMPOTENCY_KEY_REUSED',
            'Idempotency-Key reused',
            'this Idempotency-Key was used for a different request',
          ),
        );
      case 'claimed':
        request[CLAIM] = { scope, key };
        request[COMMAND_ID] = commandIdOf(scope, key);
        return false;
    }
  }

  /** Keeps the answer of a claimed request (a server error ends the claim without one, so that a retry resumes it). */
  private async keepAnswer(request: ClaimedRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const claim = request[CLAIM];
    if (!claim) return;
    request[CLAIM] = undefined;
    const status = reply.statusCode;
    try {
      if (status >= 500) return await this.store.release(claim.scope, claim.key);
      const headers: Record<string, string> = {};
      if (status < 400) {
        for (const name of REPLAYED_HEADERS) {
          const value = reply.getHeader(name);
          if (typeof value === 'string') headers[name] = value;
        }
      }
      const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      await this.store.complete(claim.scope, claim.key, {
        status,
        headers,
        body: text === '' ? null : JSON.parse(text),
      });
    } catch (error) {
      // The claim ended all the same: a retry resumes it and answers from what the command stored.
      const why = error instanceof Error ? error.stack : String(error);
      this.logger.error(`could not keep the answer for Idempotency-Key ${claim.key}: ${why}`);
    }
  }

  private replay(reply: FastifyReply, answer: StoredAnswer): boolean {
    void reply.header('Idempotent-Replayed', 'true');
    if (answer.status >= 400) {
      sendProblem(reply, answer.body as ProblemDetails);
      return true;
    }
    for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
    void reply.status(answer.status).type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
    return true;
  }

  private sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemException): boolean {
    sendProblem(reply, toProblemDetails(problem, request.url));
    return true;
  }
}
