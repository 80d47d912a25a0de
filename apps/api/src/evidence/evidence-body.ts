import type { FastifyInstance } from 'fastify';
import { registerUploadParser } from '../http/uploaded-body';

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

/** Raw bodies of the evidence content types, up to EVIDENCE_MAX_BYTES. */
export function registerEvidenceBodyParser(fastify: FastifyInstance): void {
  registerUploadParser(fastify, EVIDENCE_CONTENT_TYPES, EVIDENCE_MAX_BYTES);
}
