import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock, EVENT_STORE, EventStore, REMINDER_POLICIES, ReminderPolicySource } from '@zhenggai/application';
import { Actor, campaignStreamName, NotFoundError, warningDaysOf } from '@zhenggai/domain';
import {
  auditEntries,
  campaignProgress,
  ledgerDetails,
  Light,
  TaskFilter,
  TaskQueries,
  TaskRow,
} from '@zhenggai/read-models';
import { Pool } from 'pg';
import { DirectoryView } from '../access/directory-view';
import { DATABASE_POOL, DEADLINE_WARNING_DAYS } from '../infrastructure/tokens';
import {
  AsOfQueryDto,
  AuditQueryDto,
  CampaignProgressQueryDto,
  DeadlineViewQueryDto,
  PageQueryDto,
  TaskListQueryDto,
} from './view-queries.dto';

/** The deadline views, from the read models (eventually consistent: see /health for each projection's lag). */
@Injectable()
export class ReadModelsService {
  readonly tasks: TaskQueries;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_WARNING_DAYS) private readonly fixedWarningDays: number | null,
    @Inject(REMINDER_POLICIES) private readonly policies: ReminderPolicySource,
    private readonly directoryView: DirectoryView,
  ) {
    this.tasks = new TaskQueries(pool);
  }

  /** DEADLINE_WARNING_DAYS, or else the default ladder in force: yellow from its first reminder. */
  async warningDays(): Promise<number> {
    return this.fixedWarningDays ?? warningDaysOf(await this.policies.inForce(null));
  }

  instant(asOf?: string): Date {
    return asOf ? new Date(asOf) : this.clock.now();
  }

  /** The task list; with `byRegionLevel` (the deadline view), its tasks counted by region at those levels too. */
  async taskList(query: DeadlineViewQueryDto, actor: Actor) {
    const at = this.instant(query.asOf);
    const page = pageOf(query);
    const warningDays = await this.warningDays();
    const reach = this.directoryView.reachOf(actor);
    const filter: TaskFilter = { ...filterOf(query), visibleToUnitId: reach.unitId, scopeRegionId: reach.regionId };
    const result = await this.tasks.list(filter, page, {
      at,
      warningDays,
      current: query.asOf === undefined,
      byRegionLevel: query.byRegionLevel,
      order: query.sort,
    });
    return {
      asOf: at.toISOString(),
      warningDays,
      ...page,
      total: result.total,
      summary: result.summary,
      items: result.items,
      ...(result.byRegionLevel && { byRegionLevel: result.byRegionLevel }),
    };
  }

  /** What the 整改台账 shows of these tasks (of the list as of `at`) beyond their rows: names, texts, numbers. */
  ledgerDetails(rows: readonly TaskRow[], at: Date) {
    return ledgerDetails(this.pool, rows, at);
  }

  /** A campaign's progress, counting only the tasks within the actor's reach; a campaign elsewhere answers 404. */
  async campaignProgress(campaignId: string, query: CampaignProgressQueryDto, actor: Actor) {
    const events = await this.store.readStream(campaignStreamName(campaignId));
    const launched = events.find((e) => e.type === 'CampaignLaunched');
    if (!launched || !(await this.directoryView.overlaps(actor, launched.data.scope?.regionId ?? null)))
      throw new NotFoundError('Campaign', campaignId);
    const at = this.instant(query.asOf);
    return campaignProgress(
      this.pool,
      { ...launched.data, launchedAt: launched.metadata.occurredAt },
      at,
      this.directoryView.reachOf(actor),
      {
        byRegionLevel: query.byRegionLevel,
        current: query.asOf === undefined,
        quantityBurndown: query.quantityBurndown,
      },
    );
  }

  async scoreboard(query: AsOfQueryDto, actor: Actor) {
    const at = this.instant(query.asOf);
    return { asOf: at.toISOString(), units: await this.tasks.scoreboard(at, this.directoryView.reachOf(actor)) };
  }

  audit(query: AuditQueryDto, actor: Actor) {
    return auditEntries(
      this.pool,
      {
        actor: query.actor,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        type: query.type,
        withinRegionId: this.directoryView.reachOf(actor).regionId,
      },
      pageOf(query),
    ).then((result) => ({ ...pageOf(query), ...result }));
  }
}

function pageOf(query: PageQueryDto) {
  return { page: query.page ?? 1, pageSize: query.pageSize ?? 50 };
}

/** The filters the caller asked for; what its reach allows is added by the caller. */
function filterOf(query: TaskListQueryDto): TaskFilter {
  return {
    status: query.status,
    unitId: query.unitId,
    regionId: query.regionId,
    category: query.category,
    campaignId: query.campaignId,
    findingId: query.findingId,
    dueBefore: query.dueBefore,
    dueAfter: query.dueAfter,
    overdue: query.overdue,
    light: query.light as Light[] | undefined,
    text: query.q,
  };
}
