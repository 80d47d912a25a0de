import {
  CheckpointStore,
  Clock,
  Directory,
  EventStore,
  HAND_OVER_EVENT_TYPES,
  handOverNotices,
  NOTICE_LABELS,
  NoticeTask,
  ReminderMessage,
  StoredEvent,
} from '@zhenggai/application';
import { ASSIGNMENT_LADDER_KEYS, daysBetween, shanghaiDateOf, taskStreamName } from '@zhenggai/domain';
import { DeliveryJobs } from '@zhenggai/platform';
import { PostgresDeliveries } from '@zhenggai/postgres';
import { createHash } from 'node:crypto';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';
import { addressOf, channelsFor, recordAndQueue, WantedDelivery } from './notification-dispatcher.reactor';
import type { DirectDelivery } from './direct-delivery';
import { oncePerKey } from './once-per-key';

export const HAND_OVER_NOTIFIER = 'hand-over-notifier';

/**
 * From each hand-over (a new or reassigned task, a send-back, an extension decided, a reopening, a submission or an
 * extension request to check) to its notices: the channels of the unit it reaches that take that kind of notice each
 * get one message, written to the delivery ledger and queued, as reminders are. In the app the same hand-over is a
 * 待办 item. Running from a checkpoint with deterministic delivery ids, a replay queues nothing twice.
 */
export class HandOverNotifier extends CheckpointedReactor {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    private readonly directory: Directory,
    private readonly deliveries: PostgresDeliveries,
    private readonly jobs: DeliveryJobs,
    private readonly publicUrl: string,
    private readonly clock: Clock,
    /** Sends at once what it has just recorded (else every batch is queued). */
    private readonly direct?: DirectDelivery,
  ) {
    super(store, checkpoints, HAND_OVER_NOTIFIER, HAND_OVER_EVENT_TYPES, ASSIGNMENT_LADDER_KEYS);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    // Units and regions as stored when the batch is handled (a channel removed a moment ago is not used), each read
    // once a batch: under load a batch holds hundreds of assignments to the same few units.
    const units = oncePerKey((id: string) => this.directory.getUnit(id, { stored: true }));
    const regions = oncePerKey((id: string) => this.directory.getRegion(id, { stored: true }));
    const wanted: WantedDelivery[] = [];
    for (const event of events) wanted.push(...(await this.deliveriesOf(event, units, regions)));
    await recordAndQueue(this.deliveries, this.jobs, this.clock, wanted, this.direct);
  }

  private async deliveriesOf(
    event: StoredEvent,
    units: (id: string) => ReturnType<Directory['getUnit']>,
    regions: (id: string) => ReturnType<Directory['getRegion']>,
  ): Promise<WantedDelivery[]> {
    const task = await this.taskBefore(event);
    if (!task) return [];
    const notices = handOverNotices(event, task);
    if (notices.length === 0) return [];
    const occurredAt = (event.metadata?.occurredAt as string | undefined) ?? event.recordedAt;
    const deadline = (event.data.newDeadline ?? event.data.deadline ?? task.deadline) as string;
    const deliveries: WantedDelivery[] = [];
    for (const notice of notices) {
      const unit = await units(notice.unitId);
      const channels = channelsFor({ role: 'unit' }, unit?.channels ?? [], notice.kind);
      if (channels.length === 0) continue;
      const lead = notice.unitId === task.leadUnitId ? unit : await units(task.leadUnitId);
      const region = await regions(task.regionId);
      for (const channel of channels) {
        const address = addressOf(channel);
        const id = `${event.id}.${createHash('sha256')
          .update(JSON.stringify([notice.kind, notice.unitId, address]))
          .digest('hex')
          .slice(0, 16)}`;
        const message: ReminderMessage = {
          deliveryId: id,
          taskId: event.data.taskId,
          taskTitle: task.title,
          level: notice.kind,
          levelLabel: NOTICE_LABELS[notice.kind],
          kind: 'notice',
          notice: { what: notice.what, next: notice.next, reason: notice.reason },
          deadline,
          daysToDeadline: daysBetween(shanghaiDateOf(occurredAt), deadline),
          unitName: lead?.name ?? '',
          regionName: region?.name ?? null,
          recipientName: unit?.name ?? '',
          link: `${this.publicUrl}/tasks/${event.data.taskId}`,
          recordedAt: occurredAt,
        };
        deliveries.push({
          id,
          eventId: event.id,
          taskId: event.data.taskId,
          reminderId: `notice:${notice.kind}`,
          address,
          message,
          quietHours: channel.quietHours,
        });
      }
    }
    return deliveries;
  }

  /** The task as it stood just before `event`, from its own stream (its assignment tells who checks it). */
  private async taskBefore(event: StoredEvent): Promise<TaskFacts | null> {
    if (event.type === 'RectificationTaskAssigned') return factsOf(event);
    const stream = await this.store.readStream(taskStreamName(event.data.taskId));
    const assigned = stream.find((e) => e.type === 'RectificationTaskAssigned');
    if (!assigned) return null;
    const task = factsOf(assigned);
    for (const e of stream) {
      if (e.revision >= event.revision) break;
      if (e.type === 'RectificationTaskReassigned') task.leadUnitId = e.data.leadUnitId;
      else if (e.type === 'RectificationTaskExtensionApproved') task.deadline = e.data.newDeadline;
      else if (e.type === 'RectificationTaskReopened') task.deadline = e.data.deadline;
    }
    return task;
  }
}

type TaskFacts = { -readonly [K in keyof NoticeTask]: NoticeTask[K] } & { regionId: string; deadline: string };

function factsOf(assigned: StoredEvent): TaskFacts {
  const data = assigned.data;
  return {
    title: data.title,
    leadUnitId: data.leadUnitId,
    // A sub-task is checked by the unit that broke its parent down; a top-level task by the assigning inspector's
    // office.
    checkingUnitId: data.assigningUnitId ?? assigned.metadata?.actor?.unitId ?? null,
    regionId: data.regionId,
    deadline: data.deadline,
  };
}
