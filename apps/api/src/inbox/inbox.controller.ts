import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '@zhenggai/domain';
import type { FastifyReply } from 'fastify';
import { CurrentActor } from '../access/current-actor.decorator';
import { CommandContext, CommandCtx } from '../commands/command-context';
import { etagOf } from '../http/if-match';
import { EmptyDto } from '../commands/shared.dto';
import { InboxQueryDto } from './inbox-query.dto';
import { InboxService, ReadAnswer } from './inbox.service';
import { MarkReadCommand } from './mark-read.command';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller('api/inbox')
export class InboxController {
  constructor(
    private readonly commands: CommandBus,
    private readonly inbox: InboxService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The reminders and escalations sent to you, newest first, with how many are unread' })
  list(@Query() query: InboxQueryDto, @CurrentActor() actor: Actor) {
    return this.inbox.list(actor.userId, {
      unreadOnly: query.unread === true,
      limit: query.limit ?? 50,
      before: query.before,
    });
  }

  @Post(':taskId/:reminderId/read')
  @HttpCode(200)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: "the task's revision you last saw (ETag); 412 when stale",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key returns the first answer',
  })
  @ApiOperation({
    summary:
      'Mark a message read: recorded on the task once (its history shows who ' +
      "read it when); ETag is the task's revision",
  })
  async read(
    @Param('taskId', new ParseUUIDPipe()) taskId: string,
    @Param('reminderId') reminderId: string,
    @Body() _: EmptyDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ReadAnswer> {
    const answer = await this.commands.execute(new MarkReadCommand(ctx, taskId, reminderId));
    res.header('ETag', etagOf(answer.revision));
    return answer;
  }
}
