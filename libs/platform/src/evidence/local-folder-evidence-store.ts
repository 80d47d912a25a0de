import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EvidenceRecord, EvidenceStore } from '@zhenggai/application';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Evidence in a folder of this machine (the embedded default): `<dir>/<first two of id>/<id>` holds the bytes
 * and `<id>.json` the record. Files are written under a temporary name and renamed, so a crash leaves no half file.
 */
export class LocalFolderEvidenceStore implements EvidenceStore {
  constructor(private readonly dir: string) {}

  async put(record: EvidenceRecord, bytes: Buffer): Promise<void> {
    const [data, meta] = this.paths(record.id);
    await mkdir(join(this.dir, record.id.slice(0, 2)), { recursive: true });
    await writeAtomically(data, bytes);
    await writeAtomically(meta, JSON.stringify(record));
  }

  async get(id: string): Promise<{ record: EvidenceRecord; bytes: Buffer } | null> {
    const record = await this.record(id);
    if (!record) return null;
    return absentAsNull(async () => ({ record, bytes: await readFile(this.paths(id)[0]) }));
  }

  async record(id: string): Promise<EvidenceRecord | null> {
    if (!UUID.test(id)) return null;
    return absentAsNull(async () => JSON.parse(await readFile(this.paths(id)[1], 'utf8')) as EvidenceRecord);
  }

  private paths(id: string): [string, string] {
    if (!UUID.test(id)) throw new Error(`not an evidence id: ${id}`);
    const base = join(this.dir, id.slice(0, 2), id.toLowerCase());
    return [base, `${base}.json`];
  }
}

async function absentAsNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function writeAtomically(path: string, content: Buffer | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
