import { Logger } from '@nestjs/common';
import { setTimeout as wait } from 'node:timers/promises';

/**
 * Runs `step` until it succeeds, waiting longer after each failure (up to 30 s), so a queue or database that
 * is away for a while holds a reactor's checkpoint back instead of stopping it. Resolves true once it succeeded,
 * false when `stopping` was aborted after a failure (which also cuts the wait short).
 */
export async function retryUntilStopped(
  stopping: AbortSignal,
  logger: Logger,
  step: () => Promise<void>,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await step();
      return true;
    } catch (error) {
      if (stopping.aborted) return false;
      const waitMs = Math.min(30_000, 250 * 2 ** attempt);
      logger.warn(`retrying in ${waitMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      await wait(waitMs, undefined, { signal: stopping }).catch(() => undefined);
      if (stopping.aborted) return false;
    }
  }
}
