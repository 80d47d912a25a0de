import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '@zhenggai/domain';
import { AUDIT_COUNT_CAP } from '@zhenggai/read-models';
import { CurrentActor } from '../access/current-actor.decorator';
import { Roles } from '../access/roles.decorator';
import { ReadModelsService } from './read-models.service';
import { AsOfQueryDto, AuditQueryDto, CampaignProgressQueryDto, DeadlineViewQueryDto } from './view-queries.dto';

@ApiTags('views')
@ApiBearerAuth()
@Controller('api')
export class ViewsController {
  constructor(private readonly views: ReadModelsService) {}

  @Get('views/deadlines')
  @ApiOperation({ summary: '红黄绿灯 — tasks by deadline with their light, now or as of a past instant (asOf)' })
  deadlines(@Query() query: DeadlineViewQueryDto, @CurrentActor() actor: Actor) {
    return this.views.taskList(query, actor);
  }

  @Get('campaigns/:id/progress')
  @ApiOperation({ summary: 'Campaign progress: totals, quantities, by region and unit, burndown, days left (asOf)' })
  progress(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: CampaignProgressQueryDto,
    @CurrentActor() actor: Actor,
  ) {
    return this.views.campaignProgress(id, query, actor);
  }

  @Get('units/scoreboard')
  @ApiOperation({ summary: 'Per unit: open, overdue, on-time close rate, average days to close, send-backs (asOf)' })
  scoreboard(@Query() query: AsOfQueryDto, @CurrentActor() actor: Actor) {
    return this.views.scoreboard(query, actor);
  }

  @Get('audit')
  @Roles('inspector', 'leader', 'admin')
  @ApiOperation({
    summary: 'Cross-stream audit: every event by actor and time range, within your region',
    description:
      'Answers `{ items, next, total, totalExact }`, with `page` or `after`, and `pageSize`. Items are in store ' +
      'order; `next` is the `after` of the next page (null on the last): follow it to read on, as quick on the last ' +
      'page as on the first. `total` counts the entries that match the filters (all of them, not only those after ' +
      `the cursor) up to ${AUDIT_COUNT_CAP}; \`totalExact\` is false when there are more, and \`count=true\` ` +
      'counts them all (slower on a large store).',
  })
  audit(@Query() query: AuditQueryDto, @CurrentActor() actor: Actor) {
    return this.views.audit(query, actor);
  }
}
