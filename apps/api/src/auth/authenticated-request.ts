import { Actor } from '@zhenggai/domain';
import type { Request } from 'express';

export interface AuthenticatedRequest extends Request {
  actor: Actor;
}
