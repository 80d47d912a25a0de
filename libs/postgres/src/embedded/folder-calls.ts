import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DataFolderError } from './embedded-postgres.errors';

/**
 * Runs a file system call on `folder`, turning a read-only, full or forbidden folder into a `DataFolderError`
 * that says so in one sentence.
 */
export async function inFolder<T>(folder: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw DataFolderError.fromErrno(folder, error) ?? error;
  }
}

/**
 * `mkdir -p` that fails with the true cause: Node's recursive mkdir answers ENOENT where a folder cannot be made
 * on a read-only disk, so the missing folders are then made one by one to get the real error.
 */
export async function makeFolders(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const missing: string[] = [];
    for (let current = dir; !existsSync(current); current = path.dirname(current)) missing.unshift(current);
    for (const folder of missing) await mkdir(folder, { mode });
    throw error;
  }
}
