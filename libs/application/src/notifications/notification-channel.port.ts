/**
 * Where a reminder or an escalation is delivered outside the app (the in-app inbox is a read model, not a
 * channel): a webhook in one of the robot formats Chinese offices use, or an e-mail address.
 */
export type WebhookFormat = 'json' | 'json-batch' | 'dingtalk' | 'wecom' | 'feishu';

export type ChannelAddress =
  | {
      readonly kind: 'webhook';
      readonly url: string;
      readonly format: WebhookFormat;
      /** The robot's signing secret (DingTalk 加签, Feishu 签名校验), when the robot has one. */
      readonly secret?: string | null;
    }
  | { readonly kind: 'email'; readonly address: string };

/** What one recipient is told about one reminder or escalation of one task. */
export interface ReminderMessage {
  /** Stable per delivery: a receiver can drop a message it has already seen. */
  readonly deliveryId: string;
  readonly taskId: string;
  readonly taskTitle: string;
  /** The ladder level's id (`reminder`, `due_today`, `urge`, `supervise`, `report`) and its label (提醒, 督办...). */
  readonly level: string;
  readonly levelLabel: string;
  readonly kind: 'reminder' | 'escalation' | 'notice' | 'digest' | 'bulletin';
  /**
   * For a notice (`kind: 'notice'`): a hand-over (a new task, a send-back, a decision…) in words — what happened and
   * what to do next, and the reason given, if any. `level` is then the notice's kind, `levelLabel` its Chinese name.
   */
  readonly notice?: { readonly what: string; readonly next: string; readonly reason: string | null };
  /**
   * For the daily digest (`kind: 'digest'`, 每日督办简报): the figures of one jurisdiction as of the digest's instant,
   * each with a link to the tasks behind it. `taskId` and `taskTitle` are then empty and the title, `deadline` the
   * digest's date, `regionName` the jurisdiction (null: every region).
   */
  readonly digest?: { readonly date: string; readonly asOf: string; readonly figures: readonly DigestFigure[] };
  /**
   * For a weekly bulletin issued (`kind: 'bulletin'`, 情况通报): its title (also `taskTitle`), what it covers, when
   * its figures were taken and the days it reports, in words; `link` opens the list of bulletins.
   */
  readonly bulletin?: {
    readonly title: string;
    readonly scope: string;
    readonly asOf: string;
    readonly period: string;
  };
  /** The deadline in force, a date in Asia/Shanghai (YYYY-MM-DD). */
  readonly deadline: string;
  /** Days from the date the reminder was due to the deadline: positive before it, 0 on the day, negative overdue. */
  readonly daysToDeadline: number;
  readonly unitName: string;
  readonly regionName: string | null;
  /** Who this copy is for, as shown in a greeting (a unit, a person, an office). */
  readonly recipientName: string;
  /** Where the task can be opened in the app. */
  readonly link: string;
  /** When the reminder was recorded (ISO 8601). */
  readonly recordedAt: string;
}

/** One figure of a daily digest: 新增逾期 3, and where to see them. */
export interface DigestFigure {
  readonly label: string;
  readonly count: number;
  readonly link: string;
}

/** Sends one message to one address; throws when the receiver did not accept it (the caller retries). */
export interface NotificationChannel {
  readonly kind: ChannelAddress['kind'];
  send(address: ChannelAddress, message: ReminderMessage): Promise<void>;
  /**
   * Where a channel can carry several messages to one address in one (a robot group's notices listed in one message):
   * the messages grouped into those sent together, as indexes, in order; `sendTogether` sends a group of more than
   * one. Without it, each message goes alone.
   */
  together?(address: ChannelAddress, messages: readonly ReminderMessage[]): number[][];
  sendTogether?(address: ChannelAddress, messages: readonly ReminderMessage[]): Promise<void>;
  /**
   * How fast the address takes messages, where it limits that (a DingTalk or WeCom group robot: 20 a minute): each
   * pace a limit of its own. Without it, or with none, as fast as the address answers.
   */
  paceOf?(address: ChannelAddress): readonly SendingPace[];
}

/** At most `messages` messages within any `perMs` milliseconds. */
export interface SendingPace {
  readonly messages: number;
  readonly perMs: number;
}

/**
 * A channel's answer that the address takes nothing more for now (a robot's "sending too fast"): nothing is wrong with
 * the message, which goes once `retryAfterMs` has passed. Not a failed attempt.
 */
export class AddressBusyError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'AddressBusyError';
  }
}

/** Duck-typed (a jest sandbox's realms fail `instanceof`): how long the address said to wait, or null. */
export function retryAfterOf(error: unknown): number | null {
  const ms = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export const NOTIFICATION_CHANNELS = Symbol('NotificationChannels');
