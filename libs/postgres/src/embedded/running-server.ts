import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { APPLICATION_DATABASE, SUPERUSER } from './embedded-postgres.launcher';
import { readPostmasterLock } from './previous-server';

/**
 * The URL of the application database on the embedded server that another live process runs on `dataDir`
 * (the folder `EmbeddedPostgresInUseError` names), for a tool that must work beside it (a rebuild while
 * the server runs). It connects through the server's Unix socket, where the launcher lets the superuser in
 * without a password (`--auth-local=trust`); the socket's folder is private to the server's OS user, so
 * only that user (the one that launched it) or root can use the URL, as only they can read the data folder.
 * No secret is stored or read. `undefined` when no server runs there or its socket cannot be reached.
 */
export async function runningEmbeddedPostgresUrl(dataDir: string): Promise<string | undefined> {
  const lock = await readPostmasterLock(path.resolve(dataDir));
  if (!lock?.socketDir || !lock.port) return undefined;
  const socket = path.join(lock.socketDir, `.s.PGSQL.${lock.port}`);
  try {
    await access(lock.socketDir, constants.X_OK);
    await access(socket, constants.F_OK);
  } catch {
    return undefined;
  }
  const query = new URLSearchParams({ host: lock.socketDir, port: String(lock.port) });
  return `postgres://${SUPERUSER}@/${APPLICATION_DATABASE}?${query}`;
}
