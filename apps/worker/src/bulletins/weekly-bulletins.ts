import { Logger } from '@nestjs/common';
import {
  bulletinSchedulesSetAt,
  Clock,
  coversRegion,
  Directory,
  EventStore,
  ReminderMessage,
  scheduledBulletinId,
  UnitChannel,
  UserRepository,
} from '@zhenggai/application';
import { BulletinSchedule, bulletinStreamName, latestBulletinRun, SYSTEM_ACTOR } from '@zhenggai/domain';
import { DeliveryJobs } from '@zhenggai/platform';
import { PostgresDeliveries } from '@zhenggai/postgres';
import { chineseDate, chineseInstant } from '@zhenggai/read-models';
import { createHash } from 'node:crypto';
import { WorkerCommands } from '../commands/worker-command';
import { NO_TASK } from '../reminders/daily-digest';
import { addressOf, channelsFor, recordAndQueue, WantedDelivery } from '../reminders/notification-dispatcher.reactor';
import type { TasksCaughtUp } from '../reminders/tasks-caught-up';
import { IssueScheduledBulletinCommand } from './issue-scheduled-bulletin.command';

export const BULLETIN_LABEL = '情况通报';

export interface WeeklyBulletinsDeps {
  readonly store: EventStore;
  readonly directory: Directory;
  readonly users: UserRepository;
  readonly deliveries: PostgresDeliveries;
  readonly jobs: DeliveryJobs;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly commands: WorkerCommands;
  /** A bulletin is issued once the tasks read model has caught up: its figures are kept in history as issued. */
  readonly tasksCaughtUp: TasksCaughtUp;
}

/**
 * 每周情况通报: each weekly bulletin an admin set up (POST /api/settings/bulletins) is issued at its weekday and
 * time, as the engine, reporting the seven days before, and its link sent through the channels of the inspection
 * offices whose inspectors may read it (their region covers the bulletin's). Its id follows from the schedule and
 * the period, so a run repeated (a second worker, the catch-up after a restart) issues and sends nothing twice, and
 * sends no command for a bulletin already stored; a worker down for weeks issues only the bulletin owed now.
 */
export class WeeklyBulletins {
  private readonly logger = new Logger('Bulletins');
  /** The bulletins issued whose notices this process has recorded (after a restart the ledger knows them: a no-op). */
  private readonly told = new Set<string>();

  constructor(private readonly deps: WeeklyBulletinsDeps) {}

  /** Issues the bulletins whose time has come (each at most once) and queues their notices; returns how many. */
  async runDue(): Promise<number> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const schedules = await bulletinSchedulesSetAt(store);
    if (schedules.length === 0) return 0;
    const wanted: WantedDelivery[] = [];
    const issuedNow: string[] = [];
    for (const { schedule, setAt } of schedules) {
      const run = latestBulletinRun(schedule, now);
      // The first run is the first one after the schedule was set up as it stands (not one a week before it).
      if (run.runAt.getTime() < setAt.getTime()) continue;
      const scope = { regionId: schedule.regionId, campaignId: schedule.campaignId };
      const input = { scheduleId: schedule.scheduleId, scope, period: run.period, asOf: run.runAt.toISOString() };
      const bulletinId = scheduledBulletinId(input);
      if (this.told.has(bulletinId)) continue;
      // Issued already (by a run before a restart, another worker): no command; its notices are recorded again in
      // case that run stopped before them (the ledger keeps them once).
      if (!(await this.isStored(bulletinId))) {
        // Still catching up (a start on a store far ahead): the next minute's run asks again.
        if (!(await this.deps.tasksCaughtUp())) continue;
        const issued = await this.deps.commands.execute(
          new IssueScheduledBulletinCommand(
            { actor: SYSTEM_ACTOR, correlationId: bulletinId, causationId: null },
            input,
          ),
        );
        if (issued.figures)
          this.logger.log(`weekly bulletin ${issued.id} issued (${run.period.from} – ${run.period.to})`);
      }
      wanted.push(...(await this.deliveriesOf(schedule, bulletinId, run)));
      issuedNow.push(bulletinId);
    }
    const queued =
      wanted.length > 0 ? await recordAndQueue(this.deps.deliveries, this.deps.jobs, this.deps.clock, wanted) : 0;
    // Told only once its notices are in the ledger: a run that failed before that tries them again at the next one.
    for (const bulletinId of issuedNow) this.told.add(bulletinId);
    return queued;
  }

  private async deliveriesOf(
    schedule: BulletinSchedule,
    bulletinId: string,
    run: ReturnType<typeof latestBulletinRun>,
  ): Promise<WantedDelivery[]> {
    const { directory, publicUrl } = this.deps;
    const region = await directory.getRegion(schedule.regionId);
    if (!region) return [];
    const offices = await this.officesCovering(region.id);
    const title = (await this.titleOf(bulletinId)) ?? BULLETIN_LABEL;
    const wanted: WantedDelivery[] = [];
    for (const office of offices) {
      const channels: UnitChannel[] = channelsFor({ role: 'unit' }, office.channels ?? [], 'bulletin');
      for (const channel of channels) {
        const address = addressOf(channel);
        const id = `bulletin.${bulletinId}.${createHash('sha256')
          .update(JSON.stringify([office.id, address]))
          .digest('hex')
          .slice(0, 16)}`;
        const message: ReminderMessage = {
          deliveryId: id,
          taskId: '',
          taskTitle: title,
          level: 'bulletin',
          levelLabel: BULLETIN_LABEL,
          kind: 'bulletin',
          bulletin: {
            title,
            scope: region.name,
            asOf: chineseInstant(run.runAt),
            period: `${chineseDate(run.period.from)}至${chineseDate(run.period.to)}`,
          },
          deadline: run.period.to,
          daysToDeadline: 0,
          unitName: office.name,
          regionName: region.name,
          recipientName: office.name,
          link: `${publicUrl}/bulletins`,
          recordedAt: run.runAt.toISOString(),
        };
        wanted.push({
          id,
          eventId: bulletinId,
          taskId: NO_TASK,
          reminderId: `bulletin:${bulletinId}`,
          address,
          message,
          quietHours: channel.quietHours,
        });
      }
    }
    return wanted;
  }

  /** The inspection offices (units with enabled inspectors) of which some inspector's region covers the bulletin's. */
  private async officesCovering(regionId: string) {
    const { users, directory } = this.deps;
    const ids = new Set<string>();
    for (const inspector of await users.listEnabled('inspector')) {
      const { id: userId, username, role, unitId, regionScopeId } = inspector;
      const actor = { userId, username, role, unitId, regionScopeId };
      if (inspector.unitId && (await coversRegion(directory, actor, regionId))) ids.add(inspector.unitId);
    }
    const offices = [];
    for (const id of ids) {
      const unit = await directory.getUnit(id, { stored: true });
      if (unit) offices.push(unit);
    }
    return offices;
  }

  private async isStored(bulletinId: string): Promise<boolean> {
    return (await this.deps.store.readStream(bulletinStreamName(bulletinId), { maxCount: 1 })).length > 0;
  }

  private async titleOf(bulletinId: string): Promise<string | null> {
    const events = await this.deps.store.readStream(bulletinStreamName(bulletinId));
    return (events.at(-1)?.data as { title?: string } | undefined)?.title ?? null;
  }
}
