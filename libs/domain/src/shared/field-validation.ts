import { ValidationError } from './domain-error';
import { assertLocalDate, LocalDate } from './local-date';

/** The longest title (of a finding, a task, a campaign) the domain accepts. */
export const TITLE_MAX_LENGTH = 200;
/** The longest free text (measures, plans, reports, reasons, notes) the domain accepts. */
export const TEXT_MAX_LENGTH = 4000;
/** The longest identifier (task, unit, region, request ids...) the domain accepts. */
export const ID_MAX_LENGTH = 200;
/** The longest unit of measure (户, 间, km, 亩...) the domain accepts. */
export const UNIT_MAX_LENGTH = 16;
/** The longest name of a directory entry (a region, a unit, its head, a category, a user) or of a campaign's target. */
export const NAME_MAX_LENGTH = 100;

// Input checks shared by the deciders. Each throws a ValidationError naming the offending field, and returns
// the value normalised the way it is recorded on events (texts trimmed).

export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, `${field} is required`);
  if (value !== value.trim()) throw new ValidationError(field, `${field} must not start or end with spaces`);
  if (value.length > ID_MAX_LENGTH)
    throw new ValidationError(field, `${field} is longer than ${ID_MAX_LENGTH} characters`);
  return value;
}

export function nullableId(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : requireId(value, field);
}

/** A list of distinct ids (possibly empty). */
export function requireIdList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `${field} must be a list`);
  const ids = value.map((item, i) => requireId(item, `${field}[${i}]`));
  if (new Set(ids).size !== ids.length) throw new ValidationError(field, `${field} lists the same id twice`);
  return ids;
}

/** A text that must not be empty once trimmed. */
export function requireText(value: unknown, field: string, max: number = TEXT_MAX_LENGTH): string {
  const text = optionalText(value, field, max);
  if (text === '') throw new ValidationError(field, `${field} is required`);
  return text;
}

/** A text that may be empty (absent counts as empty). */
export function optionalText(value: unknown, field: string, max: number = TEXT_MAX_LENGTH): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a text`);
  const text = value.trim();
  if (text.length > max) throw new ValidationError(field, `${field} is longer than ${max} characters`);
  return text;
}

/** A text that may be absent; an empty text counts as absent. */
export function nullableText(value: unknown, field: string, max: number = TEXT_MAX_LENGTH): string | null {
  const text = optionalText(value, field, max);
  return text === '' ? null : text;
}

export function requireLocalDate(value: unknown, field: string): LocalDate {
  return assertLocalDate(value, field);
}

/** A time of day `HH:MM` (00:00 to 23:59), as the digest and quiet hours are set in Asia/Shanghai. */
export const isClockTime = (value: unknown): value is string =>
  typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value);

/** {@link isClockTime}, or a ValidationError naming the field. */
export function requireClockTime(value: unknown, field: string): string {
  if (!isClockTime(value)) throw new ValidationError(field, `${field} must be a time HH:MM`);
  return value;
}

/** An ISO-8601 instant such as `metadata.now`. */
export function requireInstant(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(field, `${field} must be an ISO-8601 instant`);
  }
  return value;
}

export function requirePositiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, `${field} must be a number greater than 0`);
  }
  return value;
}

export function nullableNonNegativeNumber(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(field, `${field} must be a number of at least 0`);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Structural equality of plain JSON-like values (records, arrays, primitives); key order does not matter. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const otherKeys = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return keys.length === otherKeys.length && keys.every((k) => sameValue(ra[k], rb[k]));
}
