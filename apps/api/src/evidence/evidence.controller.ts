import { Controller, Get, Inject, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CLOCK,
  Clock,
  EVIDENCE_STORE,
  EvidenceStore,
  ID_GENERATOR,
  IdGenerator,
  References,
  uploadEvidence,
  USE_CASE_DEPS,
  UseCaseDeps,
} from '@zhenggai/application';
import { Actor, NotFoundError } from '@zhenggai/domain';
import { CurrentActor } from '../access/current-actor.decorator';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, headerOf } from '../access/authenticated-request';
import { ProblemException } from '../http/problem-details';
import { instantFault } from '../commands/shared.dto';
import { commandIdOfRequest } from '../http/idempotency.hooks';
import { fileNameOf, uploadedFile } from '../http/uploaded-body';
import { EVIDENCE_CONTENT_TYPES, EVIDENCE_MAX_BYTES } from './evidence-body';

const uuid = new ParseUUIDPipe();

/** Evidence files (佐证材料): uploaded once, kept with their SHA-256, cited by id from commands (`evidence:<id>`). */
@ApiTags('evidence')
@ApiBearerAuth()
@Controller('api/evidence')
export class EvidenceController {
  private readonly references: References;

  constructor(
    @Inject(EVIDENCE_STORE) private readonly store: EvidenceStore,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USE_CASE_DEPS) deps: UseCaseDeps,
  ) {
    this.references = new References(deps);
  }

  @Post()
  @ApiConsumes(...EVIDENCE_CONTENT_TYPES)
  @ApiHeader({ name: 'X-File-Name', required: false, description: 'the original file name, URI-encoded' })
  @ApiHeader({
    name: 'X-Captured-At',
    required: false,
    description: 'when the photo was taken (ISO 8601); default: when it is received',
  })
  @ApiOperation({
    summary:
      'Upload one file as the raw body (a photo or a PDF, at most ' +
      `${EVIDENCE_MAX_BYTES / 1024 / 1024} MiB) → { id, sha256, capturedAt, ` +
      'contentType, size }',
  })
  async upload(@Req() request: AuthenticatedRequest) {
    const body = uploadedFile(request.body, {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      title: 'Unsupported media type',
      contentTypes: EVIDENCE_CONTENT_TYPES,
    });
    const record = await uploadEvidence(
      { store: this.store, ids: this.ids, clock: this.clock },
      {
        bytes: body.bytes,
        contentType: (headerOf(request, 'content-type') ?? 'application/octet-stream')
          .split(';')[0]
          .trim()
          .toLowerCase(),
        fileName: fileNameOf(headerOf(request, 'x-file-name')),
        capturedAt: capturedAtOf(headerOf(request, 'x-captured-at')),
        uploadedBy: request.actor.username,
        commandId: commandIdOfRequest(request),
      },
    );
    return {
      id: record.id,
      ref: `evidence:${record.id}`,
      sha256: record.sha256,
      capturedAt: record.capturedAt,
      contentType: record.contentType,
      size: record.size,
      fileName: record.fileName,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'The file, with its SHA-256 (ETag, X-Content-SHA256) and capture time (X-Captured-At)' })
  async download(@Param('id', uuid) id: string, @CurrentActor() actor: Actor, @Res() reply: FastifyReply) {
    // The record first: who may not read the file does not make us read its bytes.
    const known = await this.store.record(id);
    if (!known || !(await this.references.mayReadEvidence(actor, known))) throw new NotFoundError('Evidence', id);
    const found = await this.store.get(id);
    if (!found) throw new NotFoundError('Evidence', id);
    const { record, bytes } = found;
    void reply
      .header('content-type', record.contentType)
      .header('content-length', String(bytes.length))
      .header('etag', `"${record.sha256}"`)
      .header('x-content-sha256', record.sha256)
      .header('x-captured-at', record.capturedAt)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      // A stored file never renders as a page of this origin (a PDF or an SVG-like trick opens as a download).
      .header('content-disposition', record.contentType.startsWith('image/') ? 'inline' : 'attachment')
      .send(bytes);
  }
}

function capturedAtOf(raw: string | undefined): string | null {
  if (!raw) return null;
  const fault = instantFault(raw, 'X-Captured-At');
  if (fault) throw ProblemException.badRequest('X-Captured-At', fault);
  return new Date(raw).toISOString();
}
