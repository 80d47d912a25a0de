// First: globalTeardown runs outside jest's module registry, where the `@zhenggai/*` aliases need this.
import './path-aliases';
import type { TestServerState } from './global-setup';
import { removeDataFolder } from './data-folders';

const TEST_SERVER_STATE = Symbol.for('zhenggai.testPostgres');

/** Stops the embedded server of the global setup, if it started one, and removes its folder (and its cluster's). */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const state = globals[TEST_SERVER_STATE] as TestServerState | undefined;
  if (!state) return;
  delete globals[TEST_SERVER_STATE];
  delete process.env.TEST_DATABASE_URL;
  await state.server.stop();
  await removeDataFolder(state.folder);
}
