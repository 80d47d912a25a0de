import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, readdir, readlink, rmdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { DataFolderError } from './embedded-postgres.errors';
import { inFolder, makeFolders } from './folder-calls';
import { SERVER_HOME } from './postgres-installation';
import { canEnter, type OsUser } from './server-os-user';

/**
 * The folder PostgreSQL keeps the cluster of `dataDir` in: `dataDir` itself, or, when a root process asks for a
 * folder that the server's OS user cannot reach (below /root, or in a private `mktemp -d` folder), a folder of
 * its own in `home`, to which `dataDir` becomes a symbolic link, so that every later start (and a person
 * looking) finds it. Nothing of the caller's folders is opened up to other users.
 */
export async function clusterFolder(
  dataDir: string,
  user: OsUser | undefined,
  log: (line: string) => void,
  home = SERVER_HOME,
): Promise<string> {
  const linked = await linkTarget(dataDir);
  if (linked) return linked;
  const parent = path.dirname(dataDir);
  await inFolder(parent, () => makeFolders(parent));
  if (!user || (await canEnter(parent, user))) return dataDir;

  const own = path.join(home, createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  const cluster = path.join(own, 'postgres');
  await inFolder(home, async () => {
    await makeFolders(own);
    for (const dir of [home, own]) await chmod(dir, 0o755);
  });
  if (!(await canEnter(own, user))) {
    throw new DataFolderError(
      dataDir,
      `the OS user ${user.name}, which runs PostgreSQL for root, can reach ` +
        `neither ${parent} nor ${home}; let it enter one of them (chmod o+x on ` +
        'the folder and those above) or run as another user than root',
    );
  }
  const entries = await readdir(dataDir).catch(() => undefined);
  if (entries && entries.length > 0) {
    throw new DataFolderError(
      dataDir,
      `the OS user ${user.name}, which runs PostgreSQL for root, cannot ` +
        `enter ${parent}, where the cluster ${dataDir} is; let it enter (chmod ` +
        `o+x on ${parent} and the folders above) or run as another user than root`,
    );
  }
  // An empty folder left by an earlier attempt gives way to the link.
  if (entries) await rmdir(dataDir);
  await inFolder(parent, () => symlink(cluster, dataDir));
  log(
    `the OS user ${user.name} cannot enter ${parent}: PostgreSQL keeps its files in ${cluster}, linked from ${dataDir}`,
  );
  return cluster;
}

/** Where `dataDir` links to, if it is a link; a link to nothing stops the start rather than begin a new cluster. */
async function linkTarget(dataDir: string): Promise<string | undefined> {
  const stats = await lstat(dataDir).catch(() => undefined);
  if (!stats?.isSymbolicLink()) return undefined;
  const target = path.resolve(path.dirname(dataDir), await readlink(dataDir));
  if (!existsSync(target)) {
    throw new DataFolderError(
      dataDir,
      `${dataDir} links to ${target}, which is gone; restore it, or remove the link to start on an empty database`,
    );
  }
  return target;
}
