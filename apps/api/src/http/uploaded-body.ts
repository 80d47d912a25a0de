import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ProblemException } from './problem-details';

/**
 * A raw upload (an evidence file, a 问题清单). The bytes are a private field: the idempotency fingerprint and the
 * hostile-input scan walk a request body's enumerable properties, which here are only its digest and size (a
 * retried upload with other bytes is therefore a different request), never twenty million array indexes.
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

/** The original file name of an upload from its `X-File-Name` header (URI-encoded UTF-8), made safe to keep. */
export function fileNameOf(raw: string | undefined): string | null {
  if (!raw) return null;
  // A header's bytes arrive as Latin-1: a name sent as raw UTF-8 would be kept garbled (照片 as ç…§ç‰‡).
  const encoded = 'X-File-Name must be URI-encoded UTF-8, e.g. %E7%85%A7%E7%89%87.jpg for 照片.jpg';
  if (!/^[\x20-\x7e]*$/.test(raw)) throw ProblemException.badRequest('X-File-Name', encoded);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw ProblemException.badRequest('X-File-Name', encoded);
  }
  name = name
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .trim()
    .slice(0, 200);
  return name === '' ? null : name;
}

/** Raw bodies of the given content types, up to `maxBytes`, as `UploadedBody` (JSON bodies keep their small limit). */
export function registerUploadParser(
  fastify: FastifyInstance,
  contentTypes: readonly string[],
  maxBytes: number,
): void {
  fastify.addContentTypeParser(
    [...contentTypes],
    { parseAs: 'buffer', bodyLimit: maxBytes },
    (_request, body, done) => {
      done(null, new UploadedBody(body as Buffer));
    },
  );
}

/**
 * The file a request uploads as its raw body: refused with 415 and `code` when its content type is not one the
 * route takes (naming those), and as `EMPTY_FILE` when it has no bytes.
 */
export function uploadedFile(
  body: unknown,
  refusal: { readonly code: string; readonly title: string; readonly contentTypes: readonly string[] },
): UploadedBody {
  if (!(body instanceof UploadedBody)) {
    throw ProblemException.of(
      415,
      refusal.code,
      refusal.title,
      `send the file as the raw body, with Content-Type one of ${refusal.contentTypes.join(', ')}`,
    );
  }
  if (body.size === 0) throw ProblemException.badRequest('body', 'the file is empty', 'EMPTY_FILE');
  return body;
}
