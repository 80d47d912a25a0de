import { execFile } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresStartError } from './embedded-postgres.errors';

/** The OS account the server runs as when the launcher runs as root. */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const SERVER_ACCOUNT = 'postgres';

/**
 * PostgreSQL refuses to run as root: a root process runs it as the OS user `postgres`. `undefined` when the
 * process is not root (the server then runs as the process's own user).
 */
export async function serverOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, SERVER_ACCOUNT])).stdout.trim());
  try {
    return { name: SERVER_ACCOUNT, uid: await id('-u'), gid: await id('-g') };
  } catch {
    throw new EmbeddedPostgresStartError(
      `running as root needs an OS user "${SERVER_ACCOUNT}" to run ` +
        `PostgreSQL as (create it, e.g. useradd --system ${SERVER_ACCOUNT}, or ` +
        'run as another user)',
      '',
    );
  }
}

/**
 * Whether `user` may enter the existing folder `dir`: the search permission on it and on every folder above
 * it, as the kernel decides it from the owner, group and other bits (the server runs with its primary group
 * only: a root process that changes user drops the supplementary groups).
 */
export async function canEnter(dir: string, user: OsUser): Promise<boolean> {
  const real = await realpath(dir);
  for (let current = real; ; current = path.dirname(current)) {
    const { uid, gid, mode } = await stat(current);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}
