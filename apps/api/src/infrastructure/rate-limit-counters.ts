import type { Infrastructure } from '@zhenggai/platform';
import { PostgresRateLimits } from '@zhenggai/postgres';
import IORedis from 'ioredis';

/** A fixed-window counter shared by every API process: PostgreSQL's table, or Redis. */
export interface RateLimitCounter {
  /** Counts one hit of `key` at `now`; answers the hits in the key's current window and when that window ends. */
  hit(key: string, now: Date, windowMs: number): Promise<{ hits: number; resetsAt: Date }>;
  close?(): Promise<void>;
}

export const RATE_LIMIT_COUNTER = Symbol('RateLimitCounter');

/** Redis when the installation has one (REDIS_URL), else PostgreSQL's table. */
export function counterOf(infra: Infrastructure): RateLimitCounter {
  const { redisUrl, redisPrefix } = infra.config;
  return redisUrl ? new RedisRateLimits(redisUrl, `${redisPrefix}:rate-limit:`) : new PostgresRateLimits(infra.pool);
}

// A key's window opens at its first hit; the key expires (in Redis's time) only to be cleaned up, well after the
// window.
const HIT = `
  local now = tonumber(ARGV[1])
  local window = tonumber(ARGV[2])
  local hits = tonumber(redis.call('HGET', KEYS[1], 'hits'))
  local resets = tonumber(redis.call('HGET', KEYS[1], 'resets'))
  if not hits or not resets or resets <= now then
    hits = 0
    resets = now + window
  end
  hits = hits + 1
  redis.call('HSET', KEYS[1], 'hits', hits, 'resets', resets)
  redis.call('PEXPIRE', KEYS[1], 2 * window + 60000)
  return {hits, tostring(resets)}
`;

/** The counter in Redis, for API replicas that share it: one hash per key, updated by one script. */
export class RedisRateLimits implements RateLimitCounter {
  private readonly redis: IORedis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new IORedis(url, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined); // a failed hit says why; the client reconnects by itself
  }

  async hit(key: string, now: Date, windowMs: number): Promise<{ hits: number; resetsAt: Date }> {
    const [hits, resets] = (await this.redis.eval(HIT, 1, this.prefix + key, now.getTime(), windowMs)) as [
      number,
      string,
    ];
    return { hits, resetsAt: new Date(Number(resets)) };
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}
