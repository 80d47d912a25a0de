import { Logger } from '@nestjs/common';
import {
  Clock,
  DigestFigure,
  digestTimeInForce,
  Directory,
  EventStore,
  ReminderMessage,
  UnitChannel,
  UserRepository,
} from '@zhenggai/application';
import { addDays, LocalDate, shanghaiDateOf, shanghaiInstant } from '@zhenggai/domain';
import { DeliveryJobs } from '@zhenggai/platform';
import { PostgresDeliveries } from '@zhenggai/postgres';
import { TaskFilter, TaskQueries } from '@zhenggai/read-models';
import { createHash } from 'node:crypto';
import { addressOf, channelsFor, recordAndQueue, WantedDelivery } from './notification-dispatcher.reactor';
import type { TasksCaughtUp } from './tasks-caught-up';

export const DIGEST_LABEL = '每日督办简报';

/** The task list's 未办结 (its status filter): open tasks due from today on are the green and yellow ones. */
const OPEN_STATUSES = 'assigned,accepted,in_progress,submitted';

/** The repeatable job's cron pattern for a digest time `HH:MM` (read in Asia/Shanghai). */
export const digestPattern = (time: string): string => {
  const [hours, minutes] = time.split(':').map(Number);
  return `${minutes} ${hours} * * *`;
};

/**
 * The digest owed at `now` for a digest time `HH:MM` in Asia/Shanghai: today's, once its time has come (its date and
 * the instant its figures are taken at); null before it. Only ever today's: a worker down for days catches up once.
 */
export function digestDue(now: Date, time: string): { date: LocalDate; at: Date } | null {
  const date = shanghaiDateOf(now);
  const [hours, minutes] = time.split(':').map(Number);
  const at = new Date(shanghaiInstant(date).getTime() + (hours * 60 + minutes) * 60_000);
  return now.getTime() >= at.getTime() ? { date, at } : null;
}

/**
 * The deadline view's filters behind each figure of a digest on `date`, within the jurisdiction `scopeRegionId`:
 * - 新增逾期: open tasks whose deadline was yesterday, overdue since midnight;
 * - 逾期未完成: every open task past its deadline;
 * - 三天内将逾期: open tasks due today, tomorrow or the day after, red within three days unless done.
 */
export function digestFilters(
  date: LocalDate,
  scopeRegionId: string | null,
): ReadonlyArray<{ label: string; filter: TaskFilter; query: Record<string, string> }> {
  const scope = scopeRegionId ? { scopeRegionId } : {};
  const yesterday = addDays(date, -1);
  return [
    {
      label: '新增逾期',
      filter: { ...scope, overdue: true, dueAfter: yesterday, dueBefore: yesterday },
      query: { overdue: 'true', dueAfter: yesterday, dueBefore: yesterday },
    },
    { label: '逾期未完成', filter: { ...scope, overdue: true }, query: { overdue: 'true' } },
    {
      label: '三天内将逾期',
      filter: { ...scope, light: ['green', 'yellow'], dueAfter: date, dueBefore: addDays(date, 2) },
      query: { status: OPEN_STATUSES, dueAfter: date, dueBefore: addDays(date, 2) },
    },
  ];
}

/** Whom a digest is for and where it goes: an office's own channels, or a leader's through its region's office. */
interface DigestRecipient {
  readonly key: string;
  readonly name: string;
  readonly scopeRegionId: string | null;
  readonly unitIds: readonly string[];
}

export interface DailyDigestDeps {
  readonly directory: Directory;
  readonly users: UserRepository;
  readonly tasks: TaskQueries;
  readonly deliveries: PostgresDeliveries;
  readonly jobs: DeliveryJobs;
  readonly clock: Clock;
  readonly publicUrl: string;
  /** Where an admin's setting of the digest's time is read (stream `settings-digest`). */
  readonly store: EventStore;
  /** The configured time (`DIGEST_TIME`, HH:MM, Asia/Shanghai), in force while no admin has set one. */
  readonly time: string;
  /** A digest waits while the tasks read model catches up: its figures are sent once, and must be whole. */
  readonly tasksCaughtUp: TasksCaughtUp;
}

/**
 * 每日督办简报: once a day, at the time an admin set (PUT /api/settings/digest; else `DIGEST_TIME`), read on every
 * run, each inspection office (a unit with enabled inspectors) and each leader is sent its jurisdiction's figures as
 * of that time — from the deadline view's own queries — through the delivery ledger. The ids follow from recipient,
 * date and address, so running again the same day (a second worker, the catch-up after a restart) records nothing;
 * a day missed while the worker was down is not sent late, only that day's digest once its time has passed. After a
 * start on a store far ahead of the tasks read model, the digest waits for the read model to catch up (the minute's
 * maintenance job asks again).
 */
export class DailyDigest {
  private readonly logger = new Logger('Digest');
  private doneFor: LocalDate | null = null;
  /** The day whose digest waits for the tasks read model (said once in the log). */
  private waitingFor: LocalDate | null = null;

  constructor(private readonly deps: DailyDigestDeps) {}

  /** Sends today's digest if its time has come and this process has not yet; returns how many were queued. */
  async runIfDue(): Promise<number> {
    const { time } = await digestTimeInForce(this.deps.store, this.deps.time);
    const due = digestDue(this.deps.clock.now(), time);
    if (!due || this.doneFor === due.date) return 0;
    if (!(await this.deps.tasksCaughtUp())) {
      if (this.waitingFor !== due.date) this.logger.log(`daily digest of ${due.date}: waits for the task views`);
      this.waitingFor = due.date;
      return 0;
    }
    const wanted: WantedDelivery[] = [];
    for (const recipient of await this.recipients())
      wanted.push(...(await this.deliveriesOf(recipient, { ...due, time })));
    const pending = await recordAndQueue(this.deps.deliveries, this.deps.jobs, this.deps.clock, wanted);
    this.doneFor = due.date;
    if (pending > 0) this.logger.log(`daily digest of ${due.date}: ${pending} queued`);
    return pending;
  }

  private async recipients(): Promise<DigestRecipient[]> {
    const { directory, users } = this.deps;
    const officeIds = [...new Set((await users.listEnabled('inspector')).map((u) => u.unitId))];
    const offices = [];
    for (const id of officeIds) {
      const unit = id ? await directory.getUnit(id, { stored: true }) : null;
      if (unit) offices.push(unit);
    }
    const roots = new Set((await directory.listRegions()).filter((r) => r.parentId === null).map((r) => r.id));
    const recipients: DigestRecipient[] = offices.map((unit) => ({
      key: `unit:${unit.id}`,
      name: unit.name,
      scopeRegionId: roots.has(unit.regionId) ? null : unit.regionId,
      unitIds: [unit.id],
    }));
    // A leader has no address outside the app: its digest goes to the offices of its region (an unscoped leader's
    // to those of the top of the tree), addressed to it by name.
    for (const leader of await users.listEnabled('leader')) {
      const scope = leader.regionScopeId;
      const theirs = offices.filter((o) => (scope ? o.regionId === scope : roots.has(o.regionId)));
      recipients.push({
        key: `user:${leader.id}`,
        name: leader.displayName,
        scopeRegionId: scope,
        unitIds: theirs.map((o) => o.id),
      });
    }
    return recipients.filter((r) => r.unitIds.length > 0);
  }

  private async deliveriesOf(
    recipient: DigestRecipient,
    due: { date: LocalDate; at: Date; time: string },
  ): Promise<WantedDelivery[]> {
    const { directory, publicUrl } = this.deps;
    const addresses: UnitChannel[] = [];
    for (const unitId of recipient.unitIds) {
      const unit = await directory.getUnit(unitId, { stored: true });
      addresses.push(...channelsFor({ role: 'unit' }, unit?.channels ?? [], 'digest'));
    }
    if (addresses.length === 0) return [];
    const figures = await this.figures(recipient.scopeRegionId, due);
    const region = recipient.scopeRegionId ? await directory.getRegion(recipient.scopeRegionId) : null;
    const eventId = uuidOf(`digest:${due.date}`);
    return addresses.map((channel) => {
      const address = addressOf(channel);
      const id = `digest.${due.date}.${createHash('sha256')
        .update(JSON.stringify([recipient.key, address]))
        .digest('hex')
        .slice(0, 16)}`;
      const message: ReminderMessage = {
        deliveryId: id,
        taskId: '',
        taskTitle: DIGEST_LABEL,
        level: 'digest',
        levelLabel: DIGEST_LABEL,
        kind: 'digest',
        digest: { date: due.date, asOf: due.time, figures },
        deadline: due.date,
        daysToDeadline: 0,
        unitName: recipient.name,
        regionName: region?.name ?? null,
        recipientName: recipient.name,
        link: `${publicUrl}/tasks`,
        recordedAt: due.at.toISOString(),
      };
      const quietHours = channel.quietHours;
      return { id, eventId, taskId: NO_TASK, reminderId: `digest:${due.date}`, address, message, quietHours };
    });
  }

  /** The figures as the deadline view gives them at the digest's instant, and the day's send-backs and extensions. */
  private async figures(scopeRegionId: string | null, due: { date: LocalDate; at: Date }): Promise<DigestFigure[]> {
    const { tasks, publicUrl } = this.deps;
    // No figure depends on the warning window: 三天内将逾期 takes green and yellow alike.
    const warningDays = 3;
    const link = (query: Record<string, string>) => {
      const search = new URLSearchParams({ ...query, ...(scopeRegionId ? { regionId: scopeRegionId } : {}) });
      return search.size > 0 ? `${publicUrl}/tasks?${search}` : `${publicUrl}/tasks`;
    };
    const figures: DigestFigure[] = [];
    for (const { label, filter, query } of digestFilters(due.date, scopeRegionId)) {
      const { total } = await tasks.list(filter, { page: 1, pageSize: 1 }, { at: due.at, warningDays });
      figures.push({ label, count: total, link: link(query) });
    }
    const yesterday = addDays(due.date, -1);
    const day = await tasks.handOversBetween(shanghaiInstant(yesterday), shanghaiInstant(due.date), scopeRegionId);
    figures.push({ label: '昨日退回重办', count: day.sendBacks, link: link({}) });
    figures.push({ label: '昨日批准延期', count: day.extensions, link: link({}) });
    return figures;
  }
}

/** The ledger's task column for a message about no one task. */
export const NO_TASK = '00000000-0000-0000-0000-000000000000';

/** A UUID-shaped id that follows from `text` (the ledger's event column of a digest, which has no event). */
export function uuidOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
