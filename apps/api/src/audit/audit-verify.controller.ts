import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ChainBreakReason,
  ChainVerification,
  EVENT_STORE,
  EventStore,
  verifyEventStore,
  verifyStoredStream,
} from '@zhenggai/application';
import { Actor, ForbiddenError, NotFoundError } from '@zhenggai/domain';
import { CurrentActor } from '../access/current-actor.decorator';
import { Roles } from '../access/roles.decorator';
import { DirectoryView } from '../access/directory-view';
import { StreamReach } from '../access/stream-reach';
import { AuditVerifyQueryDto } from './audit-verify-query.dto';

export interface AuditVerifyAnswer {
  readonly ok: boolean;
  readonly checkedStreams: number;
  readonly checkedEvents: number;
  readonly firstBroken?: {
    readonly streamName: string;
    readonly revision: number;
    readonly position: string;
    readonly expected: string | null;
    readonly found: string | null;
    readonly reason: ChainBreakReason;
  };
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditVerifyController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directoryView: DirectoryView,
    private readonly streams: StreamReach,
  ) {}

  /** A broken chain is a finding about the store, not a failed request: 200 either way. */
  @Get('verify')
  @Roles('inspector', 'leader', 'admin')
  @ApiOperation({
    summary:
      'Verify the hash chain of one stream or of the whole store: recompute ' +
      "every event's hash and name the first broken link",
  })
  async verify(@Query() query: AuditVerifyQueryDto, @CurrentActor() actor: Actor): Promise<AuditVerifyAnswer> {
    if (this.directoryView.reachOf(actor).regionId) {
      // A broken link names its stream, which may lie outside the actor's region: a scoped user checks its own.
      if (!query.stream)
        throw new ForbiddenError(
          'OUTSIDE_JURISDICTION',
          'checking the whole store is for users who see the whole tree: name a stream of your region in `stream`',
        );
      if (!(await this.streams.sees(actor, query.stream))) throw new NotFoundError('Stream', query.stream);
    }
    const result = query.stream
      ? await verifyStoredStream(this.store, query.stream)
      : await verifyEventStore(this.store);
    return answerOf(result);
  }
}

function answerOf(result: ChainVerification): AuditVerifyAnswer {
  const checked = { ok: result.ok, checkedStreams: result.streams, checkedEvents: result.events };
  if (result.ok) return checked;
  return { ...checked, firstBroken: { ...result.firstBroken, position: result.firstBroken.position.toString() } };
}
