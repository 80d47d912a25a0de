import {
  ChannelAddress,
  CheckpointStore,
  Clock,
  Directory,
  EventStore,
  ReminderMessage,
  sendableAt,
  StoredEvent,
  UnitChannel,
} from '@zhenggai/application';
import {
  channelTakes,
  daysBetween,
  MessageKind,
  RectificationTaskReminded,
  ReminderRecipient,
  shanghaiDateOf,
} from '@zhenggai/domain';
import { NewDelivery, PostgresDeliveries } from '@zhenggai/postgres';
import { createHash } from 'node:crypto';
import { DeliveryBatch, DeliveryJobs } from '@zhenggai/platform';
import type { DirectDelivery } from './direct-delivery';
import { oncePerKey } from './once-per-key';
import { CheckpointedReactor } from '../reactions/checkpointed-reactor';

export const NOTIFICATION_DISPATCHER = 'notification-dispatcher';

/**
 * From each recorded reminder or escalation to its external deliveries: every unit recipient's channels, as
 * stored when it runs (the unit's own for `unit`, its head's for `unit_head`, falling back to the unit's), get
 * one message each, written to the delivery ledger and queued; a channel two recipients lead to (a level for
 * both `unit` and `unit_head` of a unit without `head` channels) gets one message, the first recipient's. The in-app
 * inbox needs no delivery: it is a
 * read model of the same events. Running from a checkpoint with deterministic delivery ids, a replay queues
 * nothing twice.
 */
export class NotificationDispatcher extends CheckpointedReactor {
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
    super(store, checkpoints, NOTIFICATION_DISPATCHER, ['RectificationTaskReminded', 'RectificationTaskEscalated']);
  }

  protected async apply(events: readonly StoredEvent[]): Promise<void> {
    // As stored when the batch is handled, not as this process last remembered them (a channel removed or re-keyed a
    // moment ago is not used), each read once a batch: a catch-up's batch holds hundreds of levels of the same units.
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
    const data = event.data as RectificationTaskReminded['data'];
    const unitRecipients = data.recipients.filter((r) => r.kind === 'unit');
    if (unitRecipients.length === 0) return [];
    const region = await regions(data.regionId);
    const deliveries: WantedDelivery[] = [];
    const reached = new Set<string>();
    for (const recipient of unitRecipients) {
      const unit = await units(recipient.id);
      const kind: MessageKind = event.type === 'RectificationTaskEscalated' ? 'escalation' : 'reminder';
      for (const unitChannel of channelsFor(recipient, unit?.channels ?? [], kind)) {
        const address = addressOf(unitChannel);
        const channel = JSON.stringify(address);
        if (reached.has(channel)) continue;
        reached.add(channel);
        const id = `${event.id}.${createHash('sha256')
          .update(JSON.stringify([recipient.role, address]))
          .digest('hex')
          .slice(0, 16)}`;
        const message: ReminderMessage = {
          deliveryId: id,
          taskId: data.taskId,
          taskTitle: data.title,
          level: data.level,
          levelLabel: data.label,
          kind: event.type === 'RectificationTaskEscalated' ? 'escalation' : 'reminder',
          deadline: data.deadline,
          daysToDeadline: daysBetween(shanghaiDateOf(data.dueAt), data.deadline),
          unitName: unit?.name ?? recipient.name,
          regionName: region?.name ?? null,
          recipientName: recipient.name,
          link: `${this.publicUrl}/tasks/${data.taskId}`,
          recordedAt: (event.metadata?.occurredAt as string | undefined) ?? event.recordedAt,
        };
        deliveries.push({
          id,
          eventId: event.id,
          taskId: data.taskId,
          reminderId: data.reminderId,
          address,
          message,
          quietHours: unitChannel.quietHours,
        });
      }
    }
    return deliveries;
  }
}

/** The channels a recipient's unit has for one kind of message (a channel's `takes` is its preference). */
export function channelsFor(
  recipient: Pick<ReminderRecipient, 'role'>,
  channels: readonly UnitChannel[],
  kind: MessageKind,
): UnitChannel[] {
  const unit = channels.filter((c) => c.audience === 'unit');
  const head = channels.filter((c) => c.audience === 'head');
  const chosen = recipient.role !== 'unit_head' || head.length === 0 ? unit : head;
  return chosen.filter((c) => channelTakes(c.takes, kind));
}

/** Where a channel sends, without whom it reaches and when (what the delivery ledger keeps). */
export function addressOf({ audience: _a, takes: _t, quietHours: _q, ...address }: UnitChannel): ChannelAddress {
  return address as ChannelAddress;
}

/** The most deliveries one job sends: a batch is sent one by one, and a long one holds its address's later messages. */
export const DELIVERY_BATCH_SIZE = 100;

/**
 * How long after its delay (quiet hours) the ledger still holds a batch queued with one, for its job to have run: the
 * reconciliation queues it again after that only if the queue lost the job.
 */
export const RECORDING_HOLD_MS = 10_000;

/** A delivery that a reaction wants sent, with the quiet hours of its channel. */
export type WantedDelivery = Omit<NewDelivery, 'batch' | 'heldForMs'> & Pick<UnitChannel, 'quietHours'>;

/**
 * Writes the deliveries to the ledger (a repeat is a no-op) and sends or queues those pending: those to one address
 * (with the same quiet hours) form batches of at most DELIVERY_BATCH_SIZE. A batch this call wrote and that is due now
 * goes to `direct`, when given, which sends it at once; the others are queued, a job each, which sends them one by one;
 * a batch of e-mail due in its address's quiet hours is delayed until they end. A delivery recorded before stays in
 * its batch, so queuing it again finds that batch's job. Answers how many were pending.
 */
export async function recordAndQueue(
  deliveries: PostgresDeliveries,
  jobs: DeliveryJobs,
  clock: Clock,
  wanted: readonly WantedDelivery[],
  direct?: DirectDelivery,
): Promise<number> {
  const byAddress = new Map<string, WantedDelivery[]>();
  for (const delivery of wanted) {
    const key = JSON.stringify([delivery.address, delivery.quietHours ?? null]);
    const group = byAddress.get(key);
    if (group) group.push(delivery);
    else byAddress.set(key, [delivery]);
  }
  const now = clock.now();
  const delayOf = new Map(wanted.map((d) => [d.id, sendableAt(d.quietHours, now).getTime() - now.getTime()]));
  const parts: Array<{ batch: string; part: WantedDelivery[]; delayMs: number }> = [];
  for (const group of byAddress.values()) {
    for (let i = 0; i < group.length; i += DELIVERY_BATCH_SIZE) {
      const part = group.slice(i, i + DELIVERY_BATCH_SIZE);
      const batch = `deliveries.${createHash('sha256')
        .update(JSON.stringify(part.map((d) => d.id).sort()))
        .digest('hex')
        .slice(0, 24)}`;
      parts.push({ batch, part, delayMs: Math.max(...part.map((d) => delayOf.get(d.id) ?? 0)) });
    }
  }
  // The ledger holds for this call the batches due now that `direct` has room for, for its grace (it sends them, or
  // hands them to the queue and lets go), and those it delays until they are due (the reconciliation, which queues a
  // batch the queue lost, would queue it without its delay: an e-mail in its quiet hours). The reconciliation leaves
  // a held row alone; any other is queued by this call at once.
  const room = direct?.room() ?? 0;
  const heldAtOnce = new Set<string>();
  const batched: NewDelivery[] = [];
  for (const { batch, part, delayMs } of parts) {
    if (direct && delayMs <= 0 && heldAtOnce.size < room) heldAtOnce.add(batch);
    const heldForMs = heldAtOnce.has(batch) ? direct!.graceMs : delayMs > 0 ? delayMs + RECORDING_HOLD_MS : 0;
    for (const { quietHours: _quiet, ...delivery } of part) batched.push({ ...delivery, batch, heldForMs });
  }
  const pending = await deliveries.record(batched);
  const batches = new Map<string, { delayMs: number; fresh: boolean; held: boolean; ids: Set<string> }>();
  for (const { id, batch, fresh, held } of pending) {
    const seen = batches.get(batch);
    batches.set(batch, {
      delayMs: Math.max(seen?.delayMs ?? 0, delayOf.get(id) ?? 0),
      fresh: (seen?.fresh ?? true) && fresh,
      held: (seen?.held ?? false) || held,
      ids: (seen?.ids ?? new Set()).add(id),
    });
  }
  const queued: DeliveryBatch[] = [];
  const atOnce: Array<{ batch: string; ids: ReadonlySet<string> }> = [];
  for (const [batch, { fresh, held, delayMs, ids }] of batches) {
    if (direct && fresh && heldAtOnce.has(batch)) {
      atOnce.push({ batch, ids });
      continue;
    }
    // Written a moment ago by another call (another worker's reaction to the same events) that still holds it: that
    // one sends it at once or queues it, and should it die first, the reconciliation queues it once the hold is over.
    if (direct && !fresh && held) continue;
    queued.push({ batch, delayMs });
  }
  // The queue's batches first: a process killed while it sends the others has handed these over already (they would
  // otherwise wait for the reconciliation, once their hold is over).
  await jobs.enqueue(queued);
  // The batch's rows, all written by this call, in the order of their events; one that finds no room after all (the
  // process stopping meanwhile) goes to the queue.
  const notTaken: DeliveryBatch[] = [];
  for (const { batch, ids } of atOnce) {
    const rows = batched.filter((d) => ids.has(d.id));
    if (!direct!.take(batch, rows)) notTaken.push({ batch, delayMs: 0 });
  }
  await jobs.enqueue(notTaken);
  // Those held for `direct` that went to the queue after all (another call's rows among them, or no room left) are let
  // go, in one statement.
  await deliveries.release([...queued, ...notTaken].map(({ batch }) => batch).filter((batch) => heldAtOnce.has(batch)));
  return pending.length;
}
