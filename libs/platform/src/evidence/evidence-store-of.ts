import { EvidenceStore } from '@zhenggai/application';
import { EvidenceStoreConfig } from '../config/app-config';
import { LocalFolderEvidenceStore } from './local-folder-evidence-store';
import { S3EvidenceStore } from './s3-evidence-store';

/** The evidence store the configuration names. */
export function evidenceStoreOf(config: EvidenceStoreConfig, closers: Array<() => Promise<void>>): EvidenceStore {
  if (config.kind === 'local') return new LocalFolderEvidenceStore(config.dir);
  const store = new S3EvidenceStore(config);
  closers.push(async () => store.close());
  return store;
}
