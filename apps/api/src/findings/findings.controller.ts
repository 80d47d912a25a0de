import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '@zhenggai/domain';
import type { FastifyReply } from 'fastify';
import { CurrentActor } from '../access/current-actor.decorator';
import { CommandContext, CommandCtx, withETag } from '../commands/command-context';
import { AssignTaskCommand } from './assign-task.command';
import { AssignTaskDto } from './assign-task.dto';
import { FileFindingCommand } from './file-finding.command';
import { FileFindingDto } from './file-finding.dto';
import { FindingReadService } from './finding-read.service';
import { etagOf } from '../http/if-match';
import { Roles } from '../access/roles.decorator';
import { SimilarFindingsQueryDto } from './similar-findings-query.dto';
import { SimilarFindingsService } from './similar-findings.service';

const uuid = new ParseUUIDPipe();

@ApiTags('findings')
@ApiBearerAuth()
@ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: 'a retry with the same key returns the first answer',
})
@Controller('api/findings')
export class FindingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: FindingReadService,
    private readonly similarFindings: SimilarFindingsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'File a finding (问题): title, description, region, category, severity, source, evidence' })
  async file(
    @Body() body: FileFindingDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const input = {
      title: body.title,
      description: body.description ?? '',
      regionId: body.regionId,
      category: body.category,
      severity: body.severity,
      source: body.source ?? '',
      evidence: body.evidence ?? [],
    };
    const answer = await withETag(res, this.commands.execute(new FileFindingCommand(ctx, input)));
    res.header('Location', `/api/findings/${answer.id}`);
    return answer;
  }

  @Get('similar')
  @Roles('inspector', 'leader', 'admin')
  @ApiOperation({
    summary: '举一反三 — findings of the same category at or near a place, open or resolved, nearest first',
  })
  similar(@Query() query: SimilarFindingsQueryDto, @CurrentActor() actor: Actor) {
    return this.similarFindings.similar(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'The finding with its tasks' })
  async get(
    @Param('id', uuid) id: string,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const finding = await this.reads.finding(id, actor);
    res.header('ETag', etagOf(finding.revision));
    return finding;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the finding in order' })
  history(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.reads.history(id, actor);
  }

  @Post(':id/tasks')
  @ApiHeader({ name: 'If-Match', required: false, description: "the finding's revision you last saw" })
  @ApiOperation({ summary: '交办 — assign a rectification task to a responsible unit' })
  async assign(
    @Param('id', uuid) id: string,
    @Body() body: AssignTaskDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const input = {
      findingId: id,
      leadUnitId: body.unitId,
      cooperatingUnitIds: body.cooperatingUnitIds ?? [],
      deadline: body.deadline,
      measures: body.measures,
      target: body.target ? { quantity: body.target.quantity, unit: body.target.unit } : null,
      campaignId: body.campaignId ?? null,
      title: body.title ?? null,
      expectedFindingRevision: ctx.expectedRevision,
    };
    const answer = await withETag(res, this.commands.execute(new AssignTaskCommand(ctx, input)));
    res.header('Location', `/api/tasks/${answer.id}`);
    return answer;
  }
}
