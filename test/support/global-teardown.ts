// First: globalTeardown runs outside jest's module registry, where the `@zhenggai/*` aliases need this.
import './path-aliases';
import type { TestServerState } from './global-setup';
import { endRunIfItHangs } from './hang-guard';
import { removeDataFolder } from '@zhenggai/postgres';

const TEST_SERVER_STATE = Symbol.for('zhenggai.testPostgres');

/**
 * Stops the embedded server of the global setup, if it started one, and removes its folder (and its cluster's).
 * From here on, a run that does not end is ended as failed, naming what is still open (see hang-guard).
 */
export default async function globalTeardown(globalConfig: { watch?: boolean; watchAll?: boolean }): Promise<void> {
  if (!globalConfig.watch && !globalConfig.watchAll) endRunIfItHangs();
  const globals = globalThis as Record<symbol, unknown>;
  const state = globals[TEST_SERVER_STATE] as TestServerState | undefined;
  if (!state) return;
  delete globals[TEST_SERVER_STATE];
  delete process.env.TEST_DATABASE_URL;
  await state.server.stop();
  await removeDataFolder(state.folder);
}
