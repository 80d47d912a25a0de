import { Body, Controller, Get, Inject, Param, ParseIntPipe, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CLOCK,
  Clock,
  coversRegion,
  DIRECTORY,
  Directory,
  EVENT_STORE,
  EventStore,
  EVIDENCE_STORE,
  EvidenceStore,
  IssuedBulletinAnswer,
} from '@zhenggai/application';
import {
  Actor,
  BULLETIN_FORMATS,
  BulletinFormat,
  BulletinIssued,
  bulletinStreamName,
  NotFoundError,
} from '@zhenggai/domain';
import { CatalogueQueries, IssuedBulletinVersion } from '@zhenggai/read-models';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { CurrentActor } from '../access/current-actor.decorator';
import { Roles } from '../access/roles.decorator';
import { CommandContext, CommandCtx } from '../commands/command-context';
import { DATABASE_POOL } from '../infrastructure/tokens';
import { IssueBulletinCommand } from './issue-bulletin.command';
import { IssueBulletinDto, ReissueBulletinDto } from './issue-bulletin.dto';

const uuid = new ParseUUIDPipe();

/** A bulletin as listed: its latest version, and how many there are. */
export interface BulletinSummary {
  readonly id: string;
  readonly title: string;
  readonly scope: IssuedBulletinVersion['scope'];
  readonly period: IssuedBulletinVersion['period'];
  readonly asOf: string;
  readonly version: number;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly scheduled: boolean;
  readonly files: ReadonlyArray<IssuedBulletinVersion['files'][number] & { url: string }>;
}

/**
 * 情况通报: bulletins issued from the read models as they stood at an instant, as PDF (circulated) and DOCX
 * (edited), each a fact (`BulletinIssued`, with the files' SHA-256). Inspectors and leaders issue and read them,
 * within their region; a bulletin of a region outside the caller's answers 404.
 */
@ApiTags('bulletins')
@ApiBearerAuth()
@Roles('inspector', 'leader', 'admin')
@Controller('api/bulletins')
export class BulletinsController {
  private readonly catalogue: CatalogueQueries;

  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(EVIDENCE_STORE) private readonly files: EvidenceStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.catalogue = new CatalogueQueries(pool, store);
  }

  @Post()
  @Roles('inspector', 'leader')
  @ApiOperation({
    summary:
      '生成通报 — issue a bulletin of a scope (region, campaign) as of an instant: figures, rankings by region ' +
      'level and unit, overdue tasks, the period’s send-backs and extensions, as PDF and DOCX',
  })
  async issue(
    @Body() body: IssueBulletinDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const answer = await this.commands.execute(
      new IssueBulletinCommand(ctx, {
        title: body.title ?? null,
        scope: { regionId: body.scope?.regionId ?? null, campaignId: body.scope?.campaignId ?? null },
        period: { from: body.period.from, to: body.period.to },
        asOf: body.asOf ?? this.clock.now().toISOString(),
      }),
    );
    res.status(201).header('Location', `/api/bulletins/${answer.id}`);
    return withUrls(answer);
  }

  @Post(':id/versions')
  @Roles('inspector', 'leader')
  @ApiOperation({ summary: 'Reissue: a new version of a bulletin (same scope and period); earlier ones stay' })
  async reissue(
    @Param('id', uuid) id: string,
    @Body() body: ReissueBulletinDto,
    @CommandCtx() ctx: CommandContext,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const latest = (await this.versionsOf(id, actor))[0];
    const answer = await this.commands.execute(
      new IssueBulletinCommand(ctx, {
        bulletinId: id,
        title: body.title ?? latest.title,
        scope: latest.scope,
        period: latest.period,
        asOf: body.asOf ?? latest.asOf,
      }),
    );
    res.status(201).header('Location', `/api/bulletins/${id}`);
    return withUrls(answer);
  }

  @Get()
  @ApiOperation({ summary: 'The bulletins issued within your region, newest first, each with its latest version' })
  async list(@CurrentActor() actor: Actor): Promise<BulletinSummary[]> {
    const latest = new Map<string, IssuedBulletinVersion>();
    for (const version of await this.catalogue.bulletins())
      if (!latest.has(version.bulletinId)) latest.set(version.bulletinId, version);
    const visible: BulletinSummary[] = [];
    for (const version of latest.values())
      if (await coversRegion(this.directory, actor, version.scope.regionId)) visible.push(summaryOf(version));
    return visible;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One bulletin with every version issued, newest first' })
  async get(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    const versions = await this.versionsOf(id, actor);
    return { ...summaryOf(versions[0]), versions: versions.map(summaryOf) };
  }

  @Get(':id/versions/:version/:format')
  @ApiOperation({ summary: 'A file of a version (pdf or docx), as issued: its SHA-256 in ETag and X-Content-SHA256' })
  async file(
    @Param('id', uuid) id: string,
    @Param('version', ParseIntPipe) version: number,
    @Param('format') format: string,
    @CurrentActor() actor: Actor,
    @Res() reply: FastifyReply,
  ) {
    const issued = (await this.versionsOf(id, actor)).find((v) => v.version === version);
    const file = issued?.files.find((f) => f.format === format);
    const found = file ? await this.files.get(file.evidenceId) : null;
    if (!file || !found) throw new NotFoundError('BulletinFile', `${id}/${version}/${format}`);
    void reply
      .header('content-type', found.record.contentType)
      .header('content-length', String(found.bytes.length))
      .header('etag', `"${file.sha256}"`)
      .header('x-content-sha256', file.sha256)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
      .send(found.bytes);
  }

  /**
   * Every version of a bulletin the actor may read, newest first, from its own stream (a version just issued is
   * there at once); 404 when there is none.
   */
  private async versionsOf(id: string, actor: Actor): Promise<IssuedBulletinVersion[]> {
    const events = await this.store.readStream(bulletinStreamName(id));
    const versions = events
      .filter((e) => e.type === 'BulletinIssued')
      .map((e) => ({ ...(e.data as BulletinIssued['data']), issuedAt: e.metadata?.occurredAt ?? e.recordedAt }))
      .reverse();
    if (versions.length === 0 || !(await coversRegion(this.directory, actor, versions[0].scope.regionId)))
      throw new NotFoundError('Bulletin', id);
    return versions;
  }
}

const isFormat = (format: string): format is BulletinFormat => (BULLETIN_FORMATS as readonly string[]).includes(format);

function fileUrl(id: string, version: number, format: string): string {
  return `/api/bulletins/${id}/versions/${version}/${isFormat(format) ? format : 'pdf'}`;
}

function summaryOf(v: IssuedBulletinVersion): BulletinSummary {
  return {
    id: v.bulletinId,
    title: v.title,
    scope: v.scope,
    period: v.period,
    asOf: v.asOf,
    version: v.version,
    issuedAt: v.issuedAt,
    issuedBy: v.issuedBy,
    scheduled: v.scheduleId !== null,
    files: v.files.map((f) => ({ ...f, url: fileUrl(v.bulletinId, v.version, f.format) })),
  };
}

function withUrls(answer: IssuedBulletinAnswer) {
  return { ...answer, files: answer.files.map((f) => ({ ...f, url: fileUrl(answer.id, answer.version, f.format) })) };
}
