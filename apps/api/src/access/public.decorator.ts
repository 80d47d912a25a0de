import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'zhenggai:public';
/**
 * The route needs no bearer token (login, health, API docs). A public POST route must also be listed in
 * `PUBLIC_POST_ROUTES` (idempotency.hooks.ts), so that its answer is never kept for an Idempotency-Key.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
