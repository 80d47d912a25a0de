import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { bulletinSchedulesInForce, EVENT_STORE, EventStore } from '@zhenggai/application';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { Roles } from '../access/roles.decorator';
import { CommandContext, CommandCtx } from '../commands/command-context';
import {
  AddBulletinScheduleCommand,
  ChangeBulletinScheduleCommand,
  RemoveBulletinScheduleCommand,
} from './bulletin-schedule.commands';

const uuid = new ParseUUIDPipe();

export class BulletinScheduleDto {
  @ApiProperty({ format: 'uuid', description: 'the region reported on (a county, say)' })
  @IsUUID()
  regionId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'one campaign (absent: every task of the region)' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiProperty({ example: 1, description: '1 Monday … 7 Sunday' })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday!: number;

  @ApiProperty({ example: '09:00', description: 'HH:MM, Asia/Shanghai' })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'time must be a time HH:MM' })
  time!: string;
}

/**
 * 每周情况通报: the weekly bulletins an admin sets up (e.g. Monday 09:00, per county). The worker issues each at its
 * time, reporting the week before, and sends a link through the notice channels; one missed while it was down is
 * issued once when it is back.
 */
@ApiTags('bulletins')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/settings/bulletins')
export class BulletinSchedulesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The weekly bulletins set up' })
  list() {
    return bulletinSchedulesInForce(this.store);
  }

  @Post()
  @ApiOperation({ summary: 'Sets up a weekly bulletin (region, campaign, weekday, time); history keeps it' })
  async add(
    @Body() body: BulletinScheduleDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const input = {
      regionId: body.regionId,
      campaignId: body.campaignId ?? null,
      weekday: body.weekday,
      time: body.time,
    };
    const { id, revision } = await this.commands.execute(new AddBulletinScheduleCommand(context, input));
    res.status(201).header('Location', `/api/settings/bulletins/${id}`);
    return { scheduleId: id, ...input, revision };
  }

  @Put(':scheduleId')
  @ApiOperation({ summary: 'Changes a weekly bulletin set up before; history keeps it' })
  async change(
    @Param('scheduleId', uuid) scheduleId: string,
    @Body() body: BulletinScheduleDto,
    @CommandCtx() context: CommandContext,
  ) {
    const schedule = {
      scheduleId,
      regionId: body.regionId,
      campaignId: body.campaignId ?? null,
      weekday: body.weekday,
      time: body.time,
    };
    const { revision } = await this.commands.execute(new ChangeBulletinScheduleCommand(context, schedule));
    return { ...schedule, revision };
  }

  @Delete(':scheduleId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stops a weekly bulletin; those issued stay' })
  async remove(@Param('scheduleId', uuid) scheduleId: string, @CommandCtx() context: CommandContext) {
    await this.commands.execute(new RemoveBulletinScheduleCommand(context, scheduleId));
  }
}
