import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ID_GENERATOR, IdGenerator, newIdFor } from '@zhenggai/application';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandCtx, withETag } from '../commands/command-context';
import { ExecuteTaskCommand } from './execute-task.command';
import { EmptyDto } from '../commands/shared.dto';
import { ReasonDto, RequestExtensionDto } from './task-lifecycle.dto';

const uuid = new ParseUUIDPipe();

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/tasks/:id/extension-requests')
export class ExtensionRequestsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  @Post()
  @ApiOperation({ summary: '申请延期 — ask for a later deadline, before the current one falls due' })
  async request(
    @Param('id', uuid) id: string,
    @Body() body: RequestExtensionDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    // A retried request (Idempotency-Key) names the same extension request, which its earlier attempt may have stored.
    const requestId = newIdFor(this.ids, ctx, 'extension-request');
    const answer = await withETag(
      res,
      this.commands.execute(
        new ExecuteTaskCommand(ctx, id, 'RequestDeadlineExtension', {
          requestId,
          requestedDeadline: body.deadline,
          reason: body.reason,
        }),
      ),
    );
    return { ...answer, requestId };
  }

  @Post(':requestId/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve: the deadline moves; the old one stays in the history' })
  approve(
    @Param('id', uuid) id: string,
    @Param('requestId', uuid) requestId: string,
    @Body() _: EmptyDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return withETag(
      res,
      this.commands.execute(new ExecuteTaskCommand(ctx, id, 'ApproveDeadlineExtension', { requestId })),
    );
  }

  @Post(':requestId/refuse')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refuse, with a reason' })
  refuse(
    @Param('id', uuid) id: string,
    @Param('requestId', uuid) requestId: string,
    @Body() body: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return withETag(
      res,
      this.commands.execute(
        new ExecuteTaskCommand(ctx, id, 'RefuseDeadlineExtension', { requestId, reason: body.reason }),
      ),
    );
  }
}
