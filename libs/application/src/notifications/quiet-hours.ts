import { shanghaiDateOf, shanghaiInstant } from '@zhenggai/domain';

/**
 * 免打扰时段: a stretch of the day (Asia/Shanghai, `HH:MM`) in which an e-mail address is not written to; what falls
 * due in it waits until it ends. `from` after `to` spans midnight (22:00–07:00).
 */
export interface QuietHours {
  readonly from: string;
  readonly to: string;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** When a message due at `now` may be sent: `now` outside the quiet hours, else the instant they end. Pure. */
export function sendableAt(quiet: QuietHours | null | undefined, now: Date): Date {
  if (!quiet || quiet.from === quiet.to) return now;
  const today = shanghaiDateOf(now);
  const minute = Math.floor((now.getTime() - shanghaiInstant(today).getTime()) / 60_000);
  const [from, to] = [minutesOf(quiet.from), minutesOf(quiet.to)];
  const spansMidnight = from > to;
  const inside = spansMidnight ? minute >= from || minute < to : minute >= from && minute < to;
  if (!inside) return now;
  // The end is today's `to`, or tomorrow's when the quiet hours began this evening.
  const endsToday = !spansMidnight || minute < to;
  const end = new Date(shanghaiInstant(today).getTime() + to * 60_000 + (endsToday ? 0 : 86_400_000));
  return end;
}
