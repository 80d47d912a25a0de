import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from '@zhenggai/domain';

/** RFC 9457 problem details, with our extensions: a stable `code` and the offending field(s). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  /** The first (or only) offending field, dotted, e.g. `target.quantity` or the header `If-Match`. */
  field?: string;
  errors?: Array<{ field: string; message: string }>;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const problemType = (slug: string) => `urn:zhenggai:problem:${slug}`;

const STATUS_OF_KIND: Record<DomainError['kind'], number> = {
  validation: HttpStatus.BAD_REQUEST,
  forbidden: HttpStatus.FORBIDDEN,
  'not-found': HttpStatus.NOT_FOUND,
  'illegal-transition': HttpStatus.CONFLICT,
  duplicate: HttpStatus.CONFLICT,
  'rule-violation': HttpStatus.UNPROCESSABLE_ENTITY,
  concurrency: HttpStatus.PRECONDITION_FAILED,
};

const TITLE_OF_KIND: Record<DomainError['kind'], string> = {
  validation: 'The request is not valid',
  forbidden: 'You may not do this',
  'not-found': 'Not found',
  'illegal-transition': 'Not allowed in the current state',
  duplicate: 'It exists already',
  'rule-violation': 'A business rule refuses this',
  concurrency: 'The resource has changed since you read it',
};

/** An HTTP-level refusal that already knows its problem document (bad header, replayed answer...). */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }

  static badRequest(field: string, message: string, code = 'INVALID_FIELD'): ProblemException {
    return new ProblemException({
      type: problemType('validation'),
      title: TITLE_OF_KIND.validation,
      status: 400,
      detail: message,
      code,
      field,
      errors: [{ field, message }],
    });
  }

  static of(status: number, code: string, title: string, detail: string, extensions: Record<string, unknown> = {}): ProblemException {
    return new ProblemException({ type: problemType(code.toLowerCase().replace(/_/g, '-')), title, status, detail, code, ...extensions });
  }
}

/** The one place where errors become HTTP answers. */
export function toProblemDetails(error: unknown, instance?: string): ProblemDetails {
  if (error instanceof ProblemException) return { ...error.problem, instance: error.problem.instance ?? instance };
  if (error instanceof DomainError) {
    const field = 'field' in error && typeof error.field === 'string' ? error.field : undefined;
    return {
      type: problemType(error.kind),
      title: TITLE_OF_KIND[error.kind],
      status: STATUS_OF_KIND[error.kind],
      detail: error.message,
      instance,
      code: error.code,
      ...(field ? { field, errors: [{ field, message: error.message }] } : {}),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : typeof (response as { message?: unknown }).message === 'string'
          ? (response as { message: string }).message
          : error.message;
    return { type: 'about:blank', title: titleOfStatus(status), status, detail: message, instance };
  }
  if (isClientFastifyError(error)) {
    // Fastify's own refusals of a request (a URL it cannot decode, a parameter over its length limit).
    const status = error.statusCode;
    return { type: 'about:blank', title: titleOfStatus(status), status, detail: error.message, instance, code: error.code };
  }
  return { type: 'about:blank', title: 'internal server error', status: 500, detail: 'an unexpected error occurred', instance };
}

function titleOfStatus(status: number): string {
  return HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error';
}

function isClientFastifyError(error: unknown): error is Error & { statusCode: number; code: string } {
  if (!(error instanceof Error) || error.name !== 'FastifyError') return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return typeof code === 'string' && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
