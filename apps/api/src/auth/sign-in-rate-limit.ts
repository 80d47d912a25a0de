import rateLimit, { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CLOCK, Clock } from '@zhenggai/application';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RATE_LIMIT_COUNTER, RateLimitCounter } from '../infrastructure/rate-limit-counters';
import { AUTH_POLICY, AuthPolicy } from '../infrastructure/tokens';

const SIGN_IN_WINDOW_MS = 60_000;

/**
 * The sign-in limit per client address, counted with @fastify/rate-limit in a store every API replica shares
 * (Redis when REDIS_URL is set, else PostgreSQL), on the application's clock: two replicas allow the attempts of
 * one. The limiter is called by the sign-in itself (a password change signs in too), not as a route hook, so the
 * refusal is the same problem document as every other one.
 */
@Injectable()
export class SignInRateLimit implements OnModuleInit, OnApplicationShutdown {
  private fastify: FastifyInstance | undefined;
  private limit: ReturnType<FastifyInstance['createRateLimit']> | undefined;

  private readonly perMinute: number;

  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(RATE_LIMIT_COUNTER) private readonly counter: RateLimitCounter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_POLICY) policy: AuthPolicy,
  ) {
    this.perMinute = policy.loginsPerMinutePerAddress;
  }

  onModuleInit(): void {
    this.fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    // A limiter the sign-in calls, no route hooks; if the store does not answer, sign-in goes on (the account lock
    // still holds). Loaded with the server, not awaited here: that would create Nest's routes before Nest has set
    // its error handler, and the parsers' refusals would lose their problem documents.
    void this.fastify.register(rateLimit, {
      global: false,
      skipOnError: true,
      store: clockedStore(this.counter, this.clock),
    });
  }

  /** Counts an attempt from this address: null when it may go on, else the seconds until the address may try again. */
  async attempt(address: string): Promise<{ retryAfterSeconds: number } | null> {
    this.limit ??= this.fastify!.createRateLimit({
      max: this.perMinute,
      timeWindow: SIGN_IN_WINDOW_MS,
      keyGenerator: (request) => `sign-in:${request.ip}`,
    });
    // The limiter reads the request's address (keyGenerator) and its route options only.
    const outcome = await this.limit({ ip: address, routeOptions: {} } as FastifyRequest);
    return !outcome.isAllowed && outcome.isExceeded ? { retryAfterSeconds: Math.max(1, outcome.ttlInSeconds) } : null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.counter.close?.();
  }
}

/**
 * @fastify/rate-limit's custom store interface over a shared counter, its time from the clock (not Redis's or the
 * machine's).
 */
export function clockedStore(counter: RateLimitCounter, clock: Clock): FastifyRateLimitStoreCtor {
  const logger = new Logger('SignInRateLimit');
  class ClockedStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow?: number,
    ): void {
      const now = clock.now();
      counter.hit(key, now, timeWindow ?? SIGN_IN_WINDOW_MS).then(
        ({ hits, resetsAt }) => callback(null, { current: hits, ttl: Math.max(0, resetsAt.getTime() - now.getTime()) }),
        (error: Error) => {
          logger.warn(`the sign-in limit is not counted: ${error.message}`);
          callback(error);
        },
      );
    }

    child(): FastifyRateLimitStore {
      return new ClockedStore();
    }
  }
  return ClockedStore;
}
