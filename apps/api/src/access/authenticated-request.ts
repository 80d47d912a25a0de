import { Actor } from '@zhenggai/domain';
import type { FastifyRequest } from 'fastify';

export type HttpRequest = FastifyRequest;

export interface AuthenticatedRequest extends FastifyRequest {
  actor: Actor;
  sessionId: string;
}

/** One header's value (the first, when repeated). */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
