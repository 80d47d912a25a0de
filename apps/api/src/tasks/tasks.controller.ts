import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '@zhenggai/domain';
import type { FastifyReply } from 'fastify';
import { CurrentActor } from '../access/current-actor.decorator';
import { CommandContext, CommandCtx, withETag } from '../commands/command-context';
import { EmptyDto } from '../commands/shared.dto';
import { etagOf } from '../http/if-match';
import { BreakDownTaskCommand } from './break-down-task.command';
import { BreakDownDto } from './break-down-task.dto';
import { ExecuteTaskCommand, TaskCommandAnswer } from './execute-task.command';
import { TaskReadService } from './task-read.service';
import { LedgerExportQueryDto, MinRevisionQueryDto, ReadModelsService, TaskPageQueryDto, TreeQueryDto } from '../views';
import { LedgerExportService } from './ledger-export.service';
import {
  ReassignDto,
  ReasonDto,
  RecordPlanDto,
  ReopenDto,
  ReportProgressDto,
  SubmitDto,
  VerifyDto,
} from './task-lifecycle.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('tasks')
@ApiBearerAuth()
@ApiHeader({ name: 'If-Match', required: false, description: 'the revision you last saw (ETag); 412 when stale' })
@ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: 'a retry with the same key returns the first answer',
})
@Controller('api/tasks')
export class TasksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: TaskReadService,
    private readonly views: ReadModelsService,
    private readonly ledger: LedgerExportService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The task list: filters for status, unit, region subtree, category, ' +
      'campaign, due dates, overdue, light, text; by deadline, or by urgency (sort=urgency). A page by number ' +
      '(page), or after the page before (after=its next: as quick deep in the list as at its start)',
  })
  list(@Query() query: TaskPageQueryDto, @CurrentActor() actor: Actor) {
    return this.views.taskList(query, actor);
  }

  @Get('export')
  @ApiOperation({
    summary:
      '整改台账 — the task list with the same filters, every page, as XLSX or CSV (format=xlsx|csv), streamed; ' +
      'more than LEDGER_MAX_ROWS tasks (20,000 by default) answer 422 EXPORT_TOO_LARGE before anything is sent',
  })
  async export(
    @Query() query: LedgerExportQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const { format = 'xlsx', ...filters } = query;
    const file = await this.ledger.export(filters, format, actor);
    res.header('content-type', file.contentType);
    res.header(
      'content-disposition',
      `attachment; filename="ledger.${format}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    );
    res.header('cache-control', 'no-store');
    // Written as it is read: the status and headers go first, then the file a chunk of tasks at a time.
    return new StreamableFile(file.body);
  }

  @Get(':id')
  @ApiOperation({ summary: "A task's current state; ETag is its revision. minRevision waits for your own write." })
  async get(
    @Param('id', uuid) id: string,
    @Query() query: MinRevisionQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const task = await this.reads.task(id, actor, query.minRevision);
    res.header('ETag', etagOf(task.revision));
    return task;
  }

  @Get(':id/tree')
  @ApiOperation({
    summary:
      '逐级分解 — the whole tree of the task, from its top-level task down: each node with its unit, region, depth, ' +
      'parent, status, light, deadline, target and quantity done (own and rolled up), within your reach (asOf; ' +
      'minRevision waits for your own write)',
  })
  tree(@Param('id', uuid) id: string, @Query() query: TreeQueryDto, @CurrentActor() actor: Actor) {
    return this.reads.tree(id, actor, query.asOf, query.minRevision);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the task in order: type, data, actor, time, revision (全程留痕)' })
  history(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.reads.history(id, actor);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: '签收 — the lead unit signs for the task' })
  accept(
    @Param('id', uuid) id: string,
    @Body() _: EmptyDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(res, new ExecuteTaskCommand(ctx, id, 'AcceptRectificationTask', {}));
  }

  @Post(':id/plan')
  @HttpCode(200)
  @ApiOperation({ summary: '整改措施 — record or revise the plan' })
  plan(
    @Param('id', uuid) id: string,
    @Body() body: RecordPlanDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(res, new ExecuteTaskCommand(ctx, id, 'RecordRectificationPlan', { plan: body.plan }));
  }

  @Post(':id/subtasks')
  @ApiOperation({
    summary:
      '分解 — break an accepted task down into sub-tasks for units below the lead unit (or its cooperating units), ' +
      "each with a deadline and a share of the target within the task's; the breaking unit verifies them",
  })
  async breakDown(
    @Param('id', uuid) id: string,
    @Body() body: BreakDownDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const input = {
      taskId: id,
      subtasks: body.subtasks.map((subtask) => ({
        unitId: subtask.unitId,
        deadline: subtask.deadline,
        measures: subtask.measures,
        title: subtask.title ?? null,
        share: subtask.share ?? null,
      })),
      expectedRevision: ctx.expectedRevision,
    };
    return withETag(res, this.commands.execute(new BreakDownTaskCommand(ctx, input)));
  }

  @Post(':id/progress')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report progress: quantity done so far, note, evidence' })
  progress(
    @Param('id', uuid) id: string,
    @Body() body: ReportProgressDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(
      res,
      new ExecuteTaskCommand(ctx, id, 'ReportRectificationProgress', {
        quantityDone: body.quantityDone ?? null,
        note: body.note ?? '',
        evidence: body.evidence ?? [],
      }),
    );
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: '申请销号 — submit for sign-off with the completion report and evidence' })
  submit(
    @Param('id', uuid) id: string,
    @Body() body: SubmitDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(
      res,
      new ExecuteTaskCommand(ctx, id, 'SubmitRectification', {
        report: body.report,
        evidence: body.evidence,
        quantityDone: body.quantityDone ?? null,
      }),
    );
  }

  @Post(':id/verify')
  @HttpCode(200)
  @ApiOperation({ summary: '验收销号 — verify and close (never by the unit that did the work)' })
  verify(
    @Param('id', uuid) id: string,
    @Body() body: VerifyDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(res, new ExecuteTaskCommand(ctx, id, 'VerifyRectification', { note: body.note ?? null }));
  }

  @Post(':id/send-back')
  @HttpCode(200)
  @ApiOperation({ summary: '退回重办 — send back with a reason' })
  sendBack(
    @Param('id', uuid) id: string,
    @Body() body: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(res, new ExecuteTaskCommand(ctx, id, 'SendBackRectification', { reason: body.reason }));
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reassign to another unit, with a reason' })
  reassign(
    @Param('id', uuid) id: string,
    @Body() body: ReassignDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(
      res,
      new ExecuteTaskCommand(ctx, id, 'ReassignRectificationTask', {
        leadUnitId: body.unitId,
        cooperatingUnitIds: body.cooperatingUnitIds ?? [],
        reason: body.reason,
      }),
    );
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: '撤销 — cancel with a reason' })
  cancel(
    @Param('id', uuid) id: string,
    @Body() body: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(res, new ExecuteTaskCommand(ctx, id, 'CancelRectificationTask', { reason: body.reason }));
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: '回头看 — reopen a closed task with a reason and a new deadline' })
  reopen(
    @Param('id', uuid) id: string,
    @Body() body: ReopenDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return this.run(
      res,
      new ExecuteTaskCommand(ctx, id, 'ReopenRectificationTask', { reason: body.reason, deadline: body.deadline }),
    );
  }

  private run(res: FastifyReply, command: ExecuteTaskCommand): Promise<TaskCommandAnswer> {
    return withETag(res, this.commands.execute(command));
  }
}
