import { deepFreeze } from '../shared/deep-freeze';
import { ValidationError } from '../shared/domain-error';
import { dueInstant, LocalDate, shanghaiDateOf, shanghaiInstant } from '../shared/local-date';

/** Who a ladder level goes to; each is resolved to people and addresses when the level fires. */
export const RECIPIENT_ROLES = ['unit', 'unit_head', 'assigning_office', 'supervising_leader', 'leadership'] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

/**
 * One rung of the ladder. Either `days` from the deadline date (negative before it) at `hourOfDay` o'clock, or
 * `hours` from the moment the deadline falls due (the end of its date), both in Asia/Shanghai.
 */
export interface ReminderLevel {
  /** Stable id, unique in the policy: `reminder`, `due_today`, `urge`... */
  readonly level: string;
  /** What people read: 提醒, 到期提醒, 催办, 督办, 通报. */
  readonly label: string;
  /** A reminder comes before or on the deadline; an escalation after it, and goes up the ladder. */
  readonly kind: 'reminder' | 'escalation';
  readonly offset: { readonly days: number; readonly hourOfDay: number } | { readonly hours: number };
  readonly recipients: readonly RecipientRole[];
}

/** A ladder, versioned: a task keeps the version in force when it was assigned. */
export interface ReminderPolicy {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly levels: readonly ReminderLevel[];
}

/** DESIGN.md's ladder: −3 days, the day, +1, +3 and +7 days, each at 09:00 Asia/Shanghai. */
export const DEFAULT_REMINDER_POLICY: ReminderPolicy = deepFreeze({
  id: 'default',
  version: 1,
  name: '默认催办规则',
  levels: [
    { level: 'reminder', label: '提醒', kind: 'reminder', offset: { days: -3, hourOfDay: 9 }, recipients: ['unit'] },
    {
      level: 'due_today',
      label: '到期提醒',
      kind: 'reminder',
      offset: { days: 0, hourOfDay: 9 },
      recipients: ['unit'],
    },
    {
      level: 'urge',
      label: '催办',
      kind: 'escalation',
      offset: { days: 1, hourOfDay: 9 },
      recipients: ['unit_head', 'assigning_office'],
    },
    {
      level: 'supervise',
      label: '督办',
      kind: 'escalation',
      offset: { days: 3, hourOfDay: 9 },
      recipients: ['supervising_leader'],
    },
    {
      level: 'report',
      label: '通报',
      kind: 'escalation',
      offset: { days: 7, hourOfDay: 9 },
      recipients: ['leadership'],
    },
  ],
});

const HOUR_MS = 3_600_000;
const LEVEL_ID = /^[a-z][a-z0-9_]{0,39}$/;

/** The instant a level of the ladder is due for a task with this deadline. */
export function levelDueAt(deadline: LocalDate, level: ReminderLevel): string {
  return levelDueTime(deadline, level).at;
}

/** When a level of the ladder is due for a task with this deadline: as `levelDueAt` writes it, and in milliseconds. */
export interface LevelDueTime {
  readonly at: string;
  readonly ms: number;
}

/**
 * When a level falls due, by deadline and offset, as worked out before: the answer depends on its arguments alone, so
 * keeping it changes none. The scheduler asks for every level of every task it meets (millions of times when it catches
 * up on a large store), of a few hundred deadlines and a handful of offsets; reading the instant of a date in
 * Asia/Shanghai and writing it out each time took 15.7 s of a 333 s profile of its turn. Emptied when it grows large.
 */
const dueByDeadlineAndOffset = new Map<string, LevelDueTime>();
const DUE_MEMO_LIMIT = 20_000;

/** `levelDueAt`, with its milliseconds. */
export function levelDueTime(deadline: LocalDate, level: ReminderLevel): LevelDueTime {
  const offset = level.offset;
  const key = 'hours' in offset ? `${deadline}h${offset.hours}` : `${deadline}d${offset.days}@${offset.hourOfDay}`;
  const known = dueByDeadlineAndOffset.get(key);
  if (known !== undefined) return known;
  // By days: shanghaiInstant(addDays(deadline, days), hourOfDay) in one step (a calendar day is 24 hours in Shanghai).
  const instant =
    'hours' in offset
      ? new Date(dueInstant(deadline).getTime() + offset.hours * HOUR_MS)
      : shanghaiInstant(deadline, offset.days * 24 + offset.hourOfDay);
  const due: LevelDueTime = Object.freeze({ at: instant.toISOString(), ms: instant.getTime() });
  if (dueByDeadlineAndOffset.size >= DUE_MEMO_LIMIT) dueByDeadlineAndOffset.clear();
  dueByDeadlineAndOffset.set(key, due);
  return due;
}

/**
 * The latest deadline for which a level of one of `ladders` falls due by `until`: a task due later owes none of their
 * levels by then (null when they have no level at all). A level falls due a fixed time from the start of its deadline's
 * day (a calendar day is 24 hours in Asia/Shanghai), so the level due longest before its deadline sets the bound. The
 * reminders' reconciliation reads only the open tasks due by it, where most have deadlines weeks away.
 */
export function latestDeadlineDueBy(ladders: Iterable<ReminderPolicy>, until: Date): LocalDate | null {
  const reference: LocalDate = '2000-01-01';
  const dayStart = shanghaiInstant(reference).getTime();
  let earliest = Infinity;
  for (const ladder of ladders)
    for (const level of ladder.levels) earliest = Math.min(earliest, levelDueTime(reference, level).ms - dayStart);
  return earliest === Infinity ? null : shanghaiDateOf(new Date(until.getTime() - earliest));
}

/** Checks a ladder given as data (an admin's input); throws a ValidationError naming the field. */
export function validateReminderLevels(levels: unknown, field = 'levels'): ReminderLevel[] {
  if (!Array.isArray(levels) || levels.length === 0 || levels.length > 20) {
    throw new ValidationError(field, `${field} must list 1 to 20 ladder levels`);
  }
  const seen = new Set<string>();
  return levels.map((raw, i) => {
    const at = `${field}[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new ValidationError(at, `${at} must be an object`);
    const l = raw as Record<string, unknown>;
    refuseUnknownKeys(l, ['level', 'label', 'kind', 'offset', 'recipients'], at);
    if (typeof l.level !== 'string' || !LEVEL_ID.test(l.level))
      throw new ValidationError(`${at}.level`, `${at}.level must be a lower-case id like "urge"`);
    if (seen.has(l.level)) throw new ValidationError(`${at}.level`, `${at}.level "${l.level}" appears twice`);
    seen.add(l.level);
    if (typeof l.label !== 'string' || l.label.trim() === '' || l.label.length > 20)
      throw new ValidationError(`${at}.label`, `${at}.label must be 1 to 20 characters`);
    if (l.kind !== 'reminder' && l.kind !== 'escalation')
      throw new ValidationError(`${at}.kind`, `${at}.kind must be "reminder" or "escalation"`);
    const recipients = l.recipients;
    if (!Array.isArray(recipients) || recipients.length === 0 || recipients.some((r) => !RECIPIENT_ROLES.includes(r))) {
      throw new ValidationError(`${at}.recipients`, `${at}.recipients must list some of ${RECIPIENT_ROLES.join(', ')}`);
    }
    return {
      level: l.level,
      label: l.label.trim(),
      kind: l.kind,
      offset: validateOffset(l.offset, `${at}.offset`),
      recipients: [...new Set(recipients as RecipientRole[])],
    };
  });
}

function validateOffset(offset: unknown, at: string): ReminderLevel['offset'] {
  const o = (typeof offset === 'object' && offset !== null ? offset : {}) as Record<string, unknown>;
  refuseUnknownKeys(o, ['days', 'hourOfDay', 'hours'], at);
  const isInt = (v: unknown, min: number, max: number): v is number =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  if ('hours' in o && !('days' in o)) {
    if (!isInt(o.hours, -24 * 90, 24 * 90))
      throw new ValidationError(`${at}.hours`, `${at}.hours must be a whole number of hours within 90 days`);
    return { hours: o.hours };
  }
  if (!isInt(o.days, -90, 90))
    throw new ValidationError(`${at}.days`, `${at}.days must be a whole number from -90 to 90 (or give hours instead)`);
  if (!isInt(o.hourOfDay, 0, 23))
    throw new ValidationError(`${at}.hourOfDay`, `${at}.hourOfDay must be an hour from 0 to 23`);
  return { days: o.days, hourOfDay: o.hourOfDay };
}

/** A field the ladder does not have is a mistake to point out, not to ignore. */
export function refuseUnknownKeys(value: Record<string, unknown>, known: readonly string[], at: string): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined)
    throw new ValidationError(`${at}.${unknown}`, `${at}.${unknown} is not a known field (${known.join(', ')})`);
}

/**
 * 黄灯: how many days before its deadline a task turns yellow under this ladder — when its first reminder is
 * due (DESIGN.md's default: 3). 0 when the ladder reminds nobody before the deadline day.
 */
export function warningDaysOf(policy: ReminderPolicy): number {
  const before = policy.levels
    .map((l) => ('hours' in l.offset ? Math.ceil(-l.offset.hours / 24) - 1 : -l.offset.days))
    .filter((d) => d > 0);
  return before.length > 0 ? Math.max(...before) : 0;
}
