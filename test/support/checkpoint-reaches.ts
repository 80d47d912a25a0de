import type { CheckpointStore, GlobalPosition } from '@zhenggai/application';
import { eventually } from './http-client';

/**
 * Returns once the reaction `name` has saved a checkpoint at `position` or past it: it has handled the event there
 * (and will not meet it again by a clock a test moves later). Fails after `timeoutMs`.
 */
export function checkpointReaches(
  checkpoints: CheckpointStore,
  name: string,
  position: GlobalPosition,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<true> {
  return eventually(async () => ((await checkpoints.load(name)) >= position ? true : undefined), timeoutMs, intervalMs);
}
