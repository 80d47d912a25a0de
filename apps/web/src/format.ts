/** Dates as people in Asia/Shanghai read them. */
const SHANGHAI = 'Asia/Shanghai';

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: SHANGHAI,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  })
    .format(new Date(iso))
    .replace(/\//g, '-');
}

/** A calendar date (YYYY-MM-DD) or the Shanghai day of an instant, as 2020年1月1日. */
export function calendarDate(date: string): string {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T12:00:00+08:00` : date;
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: SHANGHAI,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(new Date(instant));
}

/** Today's date in Asia/Shanghai, YYYY-MM-DD. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: SHANGHAI }).format(new Date());
}

/** Whole days from today (Shanghai) to a deadline date; negative once it has passed. */
export function daysUntil(deadline: string, from = today()): number {
  return Math.round((Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The end of a calendar day in Asia/Shanghai as an instant, for `asOf`. */
export const endOfDay = (date: string) => `${date}T23:59:59+08:00`;

export function quantity(
  done: number | null | undefined,
  target: { quantity: number; unit: string } | null | undefined,
): string {
  if (!target) return done === null || done === undefined ? '' : String(done);
  return `${done ?? 0} / ${target.quantity} ${target.unit}`;
}

/** An instant as people in Beijing read it, in Chinese form: 2026年12月2日 15:04. */
export function beijingTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: SHANGHAI,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}年${Number(parts.month)}月${Number(parts.day)}日 ${parts.hour}:${parts.minute}`;
}
