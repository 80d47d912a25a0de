import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, ProblemException, toProblemDetails } from './problem-details';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Nest's ParseUUIDPipe only says "uuid is expected": name the path parameter that is not one. */
function namingPathParameter(problem: ProblemDetails, exception: unknown, params: unknown): ProblemDetails {
  if (!(exception instanceof BadRequestException) || problem.field || !/uuid( v\d)? is expected/.test(problem.detail ?? '')) return problem;
  const name = Object.entries((params ?? {}) as Record<string, string>).find(([, value]) => !UUID.test(value))?.[0];
  return name ? { ...ProblemException.badRequest(name, `${name} must be a UUID`).problem, instance: problem.instance } : problem;
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
  if (typeof problem.retryAfterSeconds === 'number') void reply.header('retry-after', String(problem.retryAfterSeconds));
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * For Fastify's `frameworkErrors` option: what Fastify refuses before any route runs (a path parameter that is
 * not valid percent-encoded UTF-8, or longer than `maxParamLength`) answers as a problem document too.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(reply, toProblemDetails(error, request.url));
}
