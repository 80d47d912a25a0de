import { rm } from 'node:fs/promises';
import type { TestServerState } from './global-setup';

const TEST_SERVER_STATE = Symbol.for('zhenggai.testPostgres');

/** Stops the embedded server of the global setup, if it started one, and removes its folder. */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const state = globals[TEST_SERVER_STATE] as TestServerState | undefined;
  if (!state) return;
  delete globals[TEST_SERVER_STATE];
  delete process.env.TEST_DATABASE_URL;
  await state.server.stop();
  await rm(state.folder, { recursive: true, force: true });
}
