import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock, EVENT_STORE, EventStore, REMINDER_POLICIES, ReminderPolicySource } from '@zhenggai/application';
import { Actor, campaignStreamName, NotFoundError, warningDaysOf } from '@zhenggai/domain';
import {
  auditEntries,
  campaignProgress,
  Light,
  ListOptions,
  parseListCursor,
  TaskFilter,
  TaskQueries,
} from '@zhenggai/read-models';
import { Pool } from 'pg';
import { DirectoryView } from '../access/directory-view';
import { LedgerReading } from './ledger-reading';
import { Slots } from './slots';
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
    this.ledgerSlots = new Slots(Math.max(1, Math.floor((pool.options?.max ?? 10) / 4)));
  }

  /** DEADLINE_WARNING_DAYS, or else the default ladder in force: yellow from its first reminder. */
  async warningDays(): Promise<number> {
    return this.fixedWarningDays ?? warningDaysOf(await this.policies.inForce(null));
  }

  instant(asOf?: string): Date {
    return asOf ? new Date(asOf) : this.clock.now();
  }

  /**
   * The task list; with `byRegionLevel` (the deadline view), its tasks counted by region at those levels too, and with
   * `byUnit` by the unit leading each.
   */
  async taskList(query: DeadlineViewQueryDto, actor: Actor) {
    const page = pageOf(query);
    const { filter, options } = await this.listOf(query, actor);
    const { at, warningDays } = options;
    // The DTO has checked the cursor against the order.
    const after = query.after === undefined ? undefined : parseListCursor(query.after, options.order ?? 'deadline')!;
    const result = await this.tasks.list(
      filter,
      { ...page, after },
      { ...options, byRegionLevel: query.byRegionLevel, byUnit: query.byUnit },
    );
    return {
      asOf: at.toISOString(),
      warningDays,
      ...(after ? { after: query.after, pageSize: page.pageSize } : page),
      total: result.total,
      summary: result.summary,
      items: result.items,
      next: result.next,
      ...(result.byRegionLevel && { byRegionLevel: result.byRegionLevel }),
      ...(result.byUnit && { byUnit: result.byUnit }),
    };
  }

  /**
   * The task list of `taskList` (the same filters, reach, order and instant), every page, read for the 整改台账 in one
   * snapshot: its ids first (at most `limit`), then their rows, numbered (`LedgerReading`). The caller closes it.
   */
  async openLedger(query: TaskListQueryDto, actor: Actor, limit: number): Promise<LedgerReading> {
    const { filter, options } = await this.listOf(query, actor);
    const giveBack = await this.ledgerSlots.take();
    try {
      return await LedgerReading.open(this.pool, filter, options, limit, giveBack);
    } catch (error) {
      giveBack();
      throw error;
    }
  }

  /**
   * A quarter of the pool's connections at most read ledgers at once, each until its file is written (a download to
   * a slow line holds one for as long): the rest of the API, and the projections of an all-in-one, keep theirs. An
   * export beyond them waits for one to finish before it starts.
   */
  private readonly ledgerSlots: Slots;

  /** The filter and options the task list reads for this query and actor: its filters within the actor's reach. */
  private async listOf(query: TaskListQueryDto, actor: Actor): Promise<{ filter: TaskFilter; options: ListOptions }> {
    const reach = this.directoryView.reachOf(actor);
    return {
      filter: { ...filterOf(query), visibleToUnitId: reach.unitId, scopeRegionId: reach.regionId },
      options: {
        at: this.instant(query.asOf),
        warningDays: await this.warningDays(),
        current: query.asOf === undefined,
        order: query.sort,
      },
    };
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
    return {
      asOf: at.toISOString(),
      units: await this.tasks.scoreboard(at, this.directoryView.reachOf(actor), {
        current: query.asOf === undefined,
      }),
    };
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
      { ...pageOf(query), after: query.after, count: query.count },
    ).then((result) => ({
      ...(query.after === undefined ? pageOf(query) : { after: query.after, pageSize: pageOf(query).pageSize }),
      ...result,
    }));
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
