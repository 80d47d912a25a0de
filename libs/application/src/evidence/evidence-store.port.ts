import { createHash } from 'node:crypto';
import { Clock } from '../clock/clock.port';
import { newIdFor } from '../ids/command-id';
import { IdGenerator } from '../ids/id-generator.port';

export const EVIDENCE_STORE = Symbol('EvidenceStore');

/** What is known of an uploaded file (佐证材料): kept beside its bytes, never changed after the upload. */
export interface EvidenceRecord {
  readonly id: string;
  /** Hex SHA-256 of the bytes: commands cite it, so a file swapped later is noticed. */
  readonly sha256: string;
  /** When the photo was taken, as the uploading device says (its file time), else when it was received. */
  readonly capturedAt: string;
  readonly receivedAt: string;
  readonly contentType: string;
  readonly size: number;
  readonly fileName: string | null;
  readonly uploadedBy: string;
}

/** Where evidence files are kept: a local folder in the embedded default, an S3-compatible bucket in production. */
export interface EvidenceStore {
  put(record: EvidenceRecord, bytes: Buffer): Promise<void>;
  /** The record and its bytes, or null when there is no such evidence. */
  get(id: string): Promise<{ record: EvidenceRecord; bytes: Buffer } | null>;
  /** The record alone (no bytes are read), or null when there is no such evidence. */
  record(id: string): Promise<EvidenceRecord | null>;
}

export interface UploadEvidenceInput {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly fileName: string | null;
  /** The device's capture time, if it gave one. */
  readonly capturedAt: string | null;
  readonly uploadedBy: string;
  /** The upload's command id when it may be sent again (an `Idempotency-Key`): every attempt then stores one file. */
  readonly commandId?: string;
}

/**
 * Stores an upload under a new id with its SHA-256 and capture time; the answer is what commands cite. A retried
 * upload (same command id, same bytes) whose earlier attempt stored the file answers with that file's record.
 */
export async function uploadEvidence(
  deps: { store: EvidenceStore; ids: IdGenerator; clock: Clock },
  input: UploadEvidenceInput,
): Promise<EvidenceRecord> {
  const id = newIdFor(deps.ids, input, 'evidence');
  const stored = input.commandId ? await deps.store.record(id) : null;
  if (stored) return stored;
  const receivedAt = deps.clock.now().toISOString();
  const record: EvidenceRecord = {
    id,
    sha256: createHash('sha256').update(input.bytes).digest('hex'),
    capturedAt: input.capturedAt ?? receivedAt,
    receivedAt,
    contentType: input.contentType,
    size: input.bytes.length,
    fileName: input.fileName,
    uploadedBy: input.uploadedBy,
  };
  await deps.store.put(record, input.bytes);
  return record;
}

/** How a command cites an uploaded file in its evidence list (`ref`). */
export const evidenceRefOf = (id: string): string => `evidence:${id}`;

const STORED_REF = /^(?:evidence:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The id of the uploaded file an evidence `ref` cites (`evidence:<id>`, or the bare id), or null for a reference
 * to material kept elsewhere (a file name, a URL), which grants no access to anything stored here.
 */
export function storedEvidenceIdOf(ref: string): string | null {
  return STORED_REF.exec(ref.trim())?.[1].toLowerCase() ?? null;
}
