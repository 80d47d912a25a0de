import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, ProblemException, toProblemDetails } from './problem-details';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Nest's ParseUUIDPipe only says "uuid is expected": name the path parameter that is not one. */
function namingPathParameter(problem: ProblemDetails, exception: unknown, params: unknown): ProblemDetails {
  if (
    !(exception instanceof BadRequestException) ||
    problem.field ||
    !/uuid( v\d)? is expected/.test(problem.detail ?? '')
  )
    return problem;
  const name = Object.entries((params ?? {}) as Record<string, string>).find(([, value]) => !UUID.test(value))?.[0];
  return name
    ? { ...ProblemException.badRequest(name, `${name} must be a UUID`).problem, instance: problem.instance }
    : problem;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const response = http.getResponse<FastifyReply>();
    const problem = namingPathParameter(toProblemDetails(exception, request.url), exception, request.params);
    // A store out of reach is said once per request, without a stack: it is not a defect of this code.
    if (problem.status === 503) this.logger.warn(exception instanceof Error ? exception.message : String(exception));
    else if (problem.status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (response.sent) return;
    sendProblem(response, problem);
  }
}

/** Answers with a problem document, with its status (and `Retry-After` when it says when to try again). */
export function sendProblem(reply: FastifyReply, problem: ProblemDetails): void {
  if (typeof problem.retryAfterSeconds === 'number')
    void reply.header('retry-after', String(problem.retryAfterSeconds));
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * For Fastify's `frameworkErrors` option: what Fastify refuses before any route runs (a path parameter that is
 * not valid percent-encoded UTF-8, or longer than `maxParamLength`) answers as a problem document too.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(reply, toProblemDetails(error, request.url));
}

/** Node's HTTP parser refusals, each with the status and code a problem document gives it. */
const CLIENT_ERRORS: Record<string, { status: number; title: string; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    title: 'request timeout',
    code: 'REQUEST_TIMEOUT',
    detail: 'the request did not arrive in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    title: 'request header fields too large',
    code: 'HEADERS_TOO_LARGE',
    detail: 'the request headers are larger than the server takes',
  },
};

/**
 * For Fastify's `clientErrorHandler` option: a request Node's HTTP parser cannot read (headers too large, a
 * malformed request line, too slow) is answered before Fastify sees a request, by default as JSON without a
 * code. It answers as a problem document too, then the connection is closed, as Node does.
 */
export function sendClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? {
    status: 400,
    title: 'bad request',
    code: 'MALFORMED_REQUEST',
    detail: 'the request is not valid HTTP',
  };
  const body = JSON.stringify({
    type: 'about:blank',
    title: known.title,
    status: known.status,
    detail: known.detail,
    code: known.code,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${known.title}\r\nContent-Length: ` +
        `${Buffer.byteLength(body)}\r\nContent-Type: ` +
        `${PROBLEM_CONTENT_TYPE}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
