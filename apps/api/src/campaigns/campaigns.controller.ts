import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore, loadStream } from '@zhenggai/application';
import { Actor, campaignDecider, campaignStreamName, NotFoundError } from '@zhenggai/domain';
import { CatalogueQueries } from '@zhenggai/read-models';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { CommandContext, CommandCtx, withETag } from '../commands/command-context';
import { LaunchCampaignCommand } from './launch-campaign.command';
import { LaunchCampaignDto } from './launch-campaign.dto';
import { etagOf } from '../http/if-match';
import { CurrentActor } from '../access/current-actor.decorator';
import { DirectoryView } from '../access/directory-view';
import { DATABASE_POOL } from '../infrastructure/tokens';

const uuid = new ParseUUIDPipe();

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/campaigns')
export class CampaignsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    private readonly directoryView: DirectoryView,
  ) {
    this.catalogue = new CatalogueQueries(pool, store);
  }

  private readonly catalogue: CatalogueQueries;

  @Post()
  @ApiOperation({ summary: '专项行动 — launch a campaign with a deadline, a scope and quantity targets' })
  async launch(
    @Body() body: LaunchCampaignDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const input = {
      name: body.name,
      description: body.description ?? '',
      deadline: body.deadline,
      scope: { regionId: body.scope?.regionId ?? null, category: body.scope?.category ?? null },
      targets: (body.targets ?? []).map((t) => ({ label: t.label, quantity: t.quantity, unit: t.unit })),
    };
    const answer = await withETag(res, this.commands.execute(new LaunchCampaignCommand(ctx, input)));
    res.header('Location', `/api/campaigns/${answer.id}`);
    return answer;
  }

  @Get()
  @ApiOperation({ summary: 'The campaigns that concern your region' })
  async list(@CurrentActor() actor: Actor) {
    const visible = [];
    for (const campaign of await this.catalogue.campaigns()) {
      const scope = campaign.scope as { regionId?: string | null } | undefined;
      if (await this.directoryView.overlaps(actor, scope?.regionId ?? null)) visible.push(campaign);
    }
    return visible;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign' })
  async get(
    @Param('id', uuid) id: string,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const { state, revision } = await loadStream(this.store, campaignDecider, campaignStreamName(id));
    if (state.status === 'none' || !(await this.directoryView.overlaps(actor, state.scope.regionId)))
      throw new NotFoundError('Campaign', id);
    res.header('ETag', etagOf(revision));
    return { ...state, id, revision };
  }
}
