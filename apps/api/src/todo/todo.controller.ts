import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { reachOf } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { TodoCounts, TodoHolder, TodoList, TodoQueries } from '@zhenggai/read-models';
import { Pool } from 'pg';
import { CurrentActor } from '../access/current-actor.decorator';
import { DATABASE_POOL } from '../infrastructure/tokens';
import { TodoQueryDto } from './todo-query.dto';

/**
 * 待办: what waits on the caller now. A unit user's is its unit's (tasks to sign for, plans, progress due,
 * send-backs, decisions, reopenings, and its sub-tasks' sign-offs and extension requests); an inspector's is the
 * inspection side's within its region (top-level tasks' sign-offs and extension requests). Leaders and admins act on
 * no task: theirs is empty.
 */
@ApiTags('todo')
@ApiBearerAuth()
@Controller('api/todo')
export class TodoController {
  private readonly queries: TodoQueries;

  constructor(@Inject(DATABASE_POOL) pool: Pool) {
    this.queries = new TodoQueries(pool);
  }

  @Get()
  @ApiOperation({
    summary: 'What waits on you now: counts by kind, and the items, oldest first (next: after=<next> for the rest)',
  })
  list(@Query() query: TodoQueryDto, @CurrentActor() actor: Actor): Promise<TodoList> {
    return this.queries.list(holderOf(actor), { kind: query.kind, limit: query.limit ?? 100, after: query.after });
  }

  @Get('counts')
  @ApiOperation({ summary: 'Only the counts, for a badge to poll' })
  counts(@CurrentActor() actor: Actor): Promise<TodoCounts> {
    return this.queries.counts(holderOf(actor));
  }
}

function holderOf(actor: Actor): TodoHolder {
  if (actor.role === 'unit') return actor.unitId ? { unitId: actor.unitId } : { nobody: true };
  if (actor.role === 'inspector') return { inspection: true, regionId: reachOf(actor).regionId ?? null };
  return { nobody: true };
}
