import { EvidenceStore } from '@zhenggai/application';
import { EvidenceStoreConfig } from '../config/app-config';
import { LocalFolderEvidenceStore } from './local-folder-evidence-store';

/** The evidence store the configuration names. */
export function evidenceStoreOf(config: EvidenceStoreConfig, closers: Array<() => Promise<void>>): EvidenceStore {
  if (config.kind === 'local') return new LocalFolderEvidenceStore(config.dir);
  // The S3 client is loaded only when the bucket is chosen (130 ms and ~20 MB at the start of every other process).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3EvidenceStore } = require('./s3-evidence-store') as typeof import('./s3-evidence-store');
  const store = new S3EvidenceStore(config);
  closers.push(async () => store.close());
  return store;
}
