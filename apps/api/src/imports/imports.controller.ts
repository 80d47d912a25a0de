import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '@zhenggai/domain';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, headerOf } from '../access/authenticated-request';
import { CurrentActor } from '../access/current-actor.decorator';
import { Roles } from '../access/roles.decorator';
import { fileNameOf, uploadedFile } from '../http/uploaded-body';
import { ProblemException } from '../http/problem-details';
import { ImportsService } from './imports.service';
import { problemListTemplate } from './problem-list-template';
import { IMPORT_MAX_BYTES, SPREADSHEET_CONTENT_TYPES } from './spreadsheet-body';

const uuid = new ParseUUIDPipe();
const XLSX = SPREADSHEET_CONTENT_TYPES[0];

/** 问题清单导入: an inspection team's spreadsheet of problems, previewed, then filed as findings and tasks. */
@ApiTags('imports')
@ApiBearerAuth()
@Roles('inspector')
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get('template')
  @ApiOperation({ summary: 'The 问题清单 template (XLSX): the headings the import reads and an example row' })
  async template(@Res() reply: FastifyReply) {
    const bytes = await problemListTemplate();
    void reply
      .header('content-type', XLSX)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent('问题清单模板.xlsx')}`)
      .send(bytes);
  }

  @Post()
  @ApiConsumes(...SPREADSHEET_CONTENT_TYPES, 'application/octet-stream')
  @ApiHeader({ name: 'X-File-Name', required: false, description: 'the original file name, URI-encoded' })
  @ApiOperation({
    summary:
      'Preview a 问题清单 sent as the raw body (XLSX, or CSV in UTF-8 or GB 18030): each row as the finding and ' +
      "task it would file, matched against the directory within the caller's reach, and its problems in Chinese. " +
      'Nothing is filed; the preview is kept for POST /api/imports/:id/commit',
  })
  async preview(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const body = uploadedFile(request.body, {
      code: 'IMPORT_NOT_A_SPREADSHEET',
      title: 'The file is not a spreadsheet',
      contentTypes: SPREADSHEET_CONTENT_TYPES,
    });
    if (body.size > IMPORT_MAX_BYTES) {
      throw ProblemException.of(
        413,
        'PAYLOAD_TOO_LARGE',
        'Payload too large',
        `a 问题清单 may have at most ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`,
      );
    }
    const answer = await this.imports.preview(body, fileNameOf(headerOf(request, 'x-file-name')), request.actor);
    res.status(201).header('Location', `/api/imports/${answer.id}`);
    return answer;
  }

  @Post(':id/commit')
  @HttpCode(202)
  @ApiOperation({
    summary:
      "File the import's valid rows as findings and tasks (the importing inspector as actor, the import's id as " +
      'correlation id), in the background: answers 202 with `commit: { status: running, processed, total, startedAt, ' +
      'rows }` (asked again while running: how it stands); poll GET /api/imports/:id until `commit.status` is done. ' +
      'A row already filed, by this import or by an import of the same file, is not filed again, and a commit cut ' +
      'off by a restart is resumed',
  })
  commit(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.imports.commit(id, actor);
  }

  @Get(':id/status')
  @ApiOperation({
    summary:
      "How an import's commit stands — `commit: { status, processed, total, filed, skipped, failed }` — without " +
      'its rows: what a progress bar polls (GET /api/imports/:id answers the whole preview)',
  })
  status(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.imports.status(id, actor);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'An import as previewed, with its last commit as it stands (only to the inspector who made it)',
  })
  get(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.imports.get(id, actor);
  }
}
