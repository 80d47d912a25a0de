import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { CommandOrigin } from '@zhenggai/application';
import { randomUUID } from 'node:crypto';
import { AuthenticatedRequest, headerOf } from '../access/authenticated-request';
import { commandIdOfRequest } from '../http/idempotency.hooks';
import { etagOf, parseIfMatch } from '../http/if-match';

/** What the edge knows about a request that issues a command. */
export interface CommandContext extends CommandOrigin {
  /** The command's own id under an `Idempotency-Key` (then also its correlation id; see `CommandMetadata`). */
  readonly commandId?: string;
  /** The command's id under a key; else `X-Correlation-Id`, or a new one. */
  readonly correlationId: string;
  /** From `If-Match`: the revision the caller last saw, or undefined for no precondition. */
  readonly expectedRevision: number | undefined;
}

const CORRELATION_ID = /^[\w.:-]{1,128}$/;

export const CommandCtx = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  const given = headerOf(request, 'x-correlation-id');
  const commandId = commandIdOfRequest(request);
  return {
    actor: request.actor,
    commandId,
    correlationId: commandId ?? (given && CORRELATION_ID.test(given) ? given : randomUUID()),
    expectedRevision: parseIfMatch(headerOf(request, 'if-match')),
  };
});

/** Every command answers with the stream's new revision. */
export interface CommandAnswer {
  readonly id: string;
  readonly revision: number;
}

/** Run a command and put its new revision in the `ETag` header. */
export async function withETag<A extends CommandAnswer>(
  res: { header(name: string, value: string): unknown },
  answer: Promise<A>,
): Promise<A> {
  const settled = await answer;
  res.header('ETag', etagOf(settled.revision));
  return settled;
}
