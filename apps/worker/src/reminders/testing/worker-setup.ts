import type { Actor } from '@zhenggai/domain';
import { directoryFixtures, Infrastructure } from '@zhenggai/platform';
import { ensureActiveGeneration, ProjectionRunner } from '@zhenggai/postgres';
import { tasksProjection } from '@zhenggai/read-models';
import { randomBytes } from 'node:crypto';
import { closedAfterThisFile } from '../../../../../test/support/opened-for-this-file';
import { WorkerCommands } from '../../commands/worker-command';
import { openWorkerCommands } from '../../commands/worker-commands.module';
import { workerCommandDeps } from '../../worker.module';

/** Each actor a user of the directory, with its display name (its username made unique in the database). */
export async function registerActors(
  infra: Infrastructure,
  actors: ReadonlyArray<readonly [Actor, string]>,
): Promise<void> {
  for (const [actor, displayName] of actors) {
    await directoryFixtures.user(infra, {
      id: actor.userId,
      username: `${actor.username}-${randomBytes(3).toString('hex')}`,
      displayName,
      role: actor.role as never,
      unitId: actor.unitId ?? null,
    });
  }
}

/**
 * The worker's command handlers (closed after the test file), and the tasks read model kept by a projection runner
 * (what `assignedTask` waits on and the reconciliation reads), which the test stops before closing `infra`.
 */
export async function workerCommandsWithTasks(
  infra: Infrastructure,
): Promise<{ commands: WorkerCommands; runner: ProjectionRunner }> {
  const { commands } = await closedAfterThisFile(openWorkerCommands(workerCommandDeps(infra)), (c) => c.close());
  await ensureActiveGeneration(infra.pool, tasksProjection);
  const runner = new ProjectionRunner({ pool: infra.pool, projection: tasksProjection });
  await runner.start();
  return { commands, runner };
}
