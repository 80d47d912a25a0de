import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { headerOf } from '../access/authenticated-request';
import { ProblemException } from './problem-details';

/** Parse `If-Match: "3"` (also `3` or `W/"3"`) to a stream revision; `*` or no header means no precondition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(-?\d{1,15})"?\s*$/.exec(header);
  if (!match)
    throw ProblemException.badRequest(
      'If-Match',
      'If-Match must be the revision from an ETag, e.g. "3"',
      'INVALID_IF_MATCH',
    );
  return Number(match[1]);
}

export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  parseIfMatch(headerOf(ctx.switchToHttp().getRequest<FastifyRequest>(), 'if-match')),
);

export const etagOf = (revision: number) => `"${revision}"`;
