import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionStatus, readProjectionStatuses } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import type { ProjectionEventSource } from '@zhenggai/application';
import { Pool } from 'pg';
import { Public } from '../access/public.decorator';
import { ProblemException, STORE_RETRY_AFTER_SECONDS } from '../http/problem-details';
import { DATABASE_POOL, PROJECTION_SOURCE } from '../infrastructure/tokens';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(PROJECTION_SOURCE) private readonly source: { readonly events: ProjectionEventSource | undefined },
  ) {}

  @Public()
  @Get()
  @ApiOperation({
    summary:
      "Liveness and readiness: the database answers; each projection's position, lag and whether a runner holds it",
  })
  async health() {
    let projections: ProjectionStatus[];
    try {
      projections = await readProjectionStatuses(
        this.pool,
        allProjections.map((p) => p.name),
        this.source.events,
      );
    } catch {
      throw ProblemException.of(
        503,
        'DATABASE_UNAVAILABLE',
        'Service unavailable',
        'the database or the event store does not answer',
        {
          retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
        },
      );
    }
    return {
      status: 'ok',
      database: 'up',
      projections: projections.map((p) => ({
        name: p.name,
        generation: p.generation,
        position: p.position.toString(),
        head: p.head.toString(),
        lag: p.lag,
        lastBatchAt: p.lastBatchAt,
        running: p.leased,
      })),
    };
  }
}
