import { HttpException, HttpStatus } from '@nestjs/common';
import { StoreUnavailableError, StreamDamagedError } from '@zhenggai/application';
import { DomainError } from '@zhenggai/domain';
import { asPostgresFailure } from '@zhenggai/postgres';

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

/** When a client may try again after a store did not answer: a restart or a fail-over takes seconds. */
export const STORE_RETRY_AFTER_SECONDS = 5;

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

  static of(
    status: number,
    code: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ): ProblemException {
    return new ProblemException({
      type: problemType(code.toLowerCase().replace(/_/g, '-')),
      title,
      status,
      detail,
      code,
      ...extensions,
    });
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
  const failure = asPostgresFailure(error);
  if (failure instanceof StoreUnavailableError) {
    // Not the client's mistake, and nothing was decided: the same request may succeed in a moment.
    return {
      ...ProblemException.of(
        503,
        'STORE_UNAVAILABLE',
        'Service unavailable',
        `${failure.store} does not answer: try again in a moment`,
        {
          retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
        },
      ).problem,
      instance,
    };
  }
  if (error instanceof StreamDamagedError) {
    const verify = `GET /api/audit/verify?stream=${encodeURIComponent(error.streamName)}`;
    const detail =
      `the stream ${error.streamName} is damaged: the store records revision ` +
      `${error.recordedRevision}, but its last event is at ` +
      `${error.lastEventRevision} (an event was removed or added outside the ` +
      'application). Nothing can be appended to it until ' +
      `it is repaired; ${verify} shows where it breaks.`;
    return {
      ...ProblemException.of(500, 'STREAM_DAMAGED', 'The stream is damaged', detail, {
        streamName: error.streamName,
        verify,
      }).problem,
      instance,
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
    return {
      type: 'about:blank',
      title: titleOfStatus(status),
      status,
      detail: message,
      instance,
      code: codeOfHttpException(status, message),
    };
  }
  if (isClientFastifyError(error)) {
    // Fastify's own refusals of a request (a URL it cannot decode, a body over the limit, a content type without
    // a parser): its codes are stable, but ours say the same thing in the API's words where it has them.
    const status = error.statusCode;
    return {
      type: 'about:blank',
      title: titleOfStatus(status),
      status,
      detail: error.message,
      instance,
      code: OUR_CODE_OF_FASTIFY[error.code] ?? error.code,
    };
  }
  return {
    type: 'about:blank',
    title: 'internal server error',
    status: 500,
    detail: 'an unexpected error occurred',
    instance,
    code: 'INTERNAL_ERROR',
  };
}

/**
 * A stable code for each status the framework answers with on its own (an unknown route, a body too large…),
 * so that every problem document carries one, as the README promises.
 */
const CODE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  503: 'SERVICE_UNAVAILABLE',
};

const OUR_CODE_OF_FASTIFY: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'CONTENT_LENGTH_MISMATCH',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
};

/** Nest's router answers an unknown method and path with a NotFoundException saying "Cannot GET /path". */
const UNKNOWN_ROUTE = /^Cannot [A-Z]+ \//;

function codeOfHttpException(status: number, message: string): string {
  if (status === 404 && UNKNOWN_ROUTE.test(message)) return 'ROUTE_NOT_FOUND';
  return CODE_OF_STATUS[status] ?? `HTTP_${status}`;
}

function titleOfStatus(status: number): string {
  return HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error';
}

function isClientFastifyError(error: unknown): error is Error & { statusCode: number; code: string } {
  if (!(error instanceof Error) || error.name !== 'FastifyError') return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return typeof code === 'string' && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
