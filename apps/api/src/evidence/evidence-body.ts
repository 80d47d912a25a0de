import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** The content types an upload may have: photos from phones and cameras, and scanned documents. */
export const EVIDENCE_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/heif',
  'application/pdf',
  'application/octet-stream',
] as const;

export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;

/**
 * A raw upload. The bytes are a private field: the idempotency fingerprint and the hostile-input scan walk a
 * request body's enumerable properties, which here are only its digest and size (a retried upload with other
 * bytes is therefore a different request), never twenty million array indexes.
 */
export class UploadedBody {
  readonly #bytes: Buffer;
  readonly sha256: string;
  readonly size: number;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.sha256 = createHash('sha256').update(bytes).digest('hex');
    this.size = bytes.length;
  }

  get bytes(): Buffer {
    return this.#bytes;
  }
}

/** Raw bodies of the evidence content types, up to EVIDENCE_MAX_BYTES (JSON bodies keep their small limit). */
export function registerEvidenceBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    [...EVIDENCE_CONTENT_TYPES],
    { parseAs: 'buffer', bodyLimit: EVIDENCE_MAX_BYTES },
    (_request, body, done) => {
      done(null, new UploadedBody(body as Buffer));
    },
  );
}
