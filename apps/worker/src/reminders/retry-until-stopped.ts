import { Logger } from '@nestjs/common';

/**
 * Runs `step` until it succeeds, waiting longer after each failure (up to 30 s), so a queue or database that
 * is away for a while holds a reactor's checkpoint back instead of stopping it. Gives up only when stopping.
 */
export async function retryUntilStopped(stopping: () => boolean, logger: Logger, step: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (stopping()) throw error;
      const waitMs = Math.min(30_000, 250 * 2 ** attempt);
      logger.warn(`retrying in ${waitMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
