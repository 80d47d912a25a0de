import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { SERVER_HOME } from './postgres-installation';

/**
 * Removes a data folder and, where its PostgreSQL cluster was kept outside it (run as root from a folder the server's
 * OS user cannot enter, the launcher keeps it in /var/lib/zhenggai and links to it), that too: removing the folder
 * alone leaves the cluster behind, hundreds of megabytes a benchmark run.
 */
export async function removeDataFolder(folder: string): Promise<void> {
  for (const name of await readdir(folder).catch(() => [])) {
    const entry = path.join(folder, name);
    if (!(await lstat(entry)).isSymbolicLink()) continue;
    const kept = path.dirname(path.resolve(folder, await readlink(entry)));
    if (path.dirname(kept) === SERVER_HOME) await rm(kept, { recursive: true, force: true });
  }
  await rm(folder, { recursive: true, force: true });
}
