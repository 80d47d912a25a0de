import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { Public } from '../auth/public.decorator';
import { ProblemException } from '../http/problem-details';

export const DATABASE_POOL = Symbol('DatabasePool');

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: the process is up and its database answers' })
  async health() {
    try {
      await this.pool.query('SELECT 1');
    } catch {
      throw ProblemException.of(503, 'DATABASE_UNAVAILABLE', 'Service unavailable', 'the database does not answer');
    }
    return { status: 'ok', database: 'up' };
  }
}
