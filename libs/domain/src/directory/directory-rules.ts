import { authorizeRole } from '../shared/authorization';
import { Actor } from '../shared/actor';
import { ROLES, Role } from '../shared/actor';
import { ValidationError } from '../shared/domain-error';

/** The levels of the jurisdiction tree 市 › 县 › 乡镇 › 村, from the top. */
export const REGION_LEVELS = ['city', 'county', 'town', 'village'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export const REGION_LEVEL_LABELS: Record<RegionLevel, string> = {
  city: '市',
  county: '县',
  town: '乡镇',
  village: '村',
};

/**
 * 行政区划代码: six digits for a city or a county (341200 阜阳市, 341225 阜南县), nine for a township
 * (341225113 王堰镇), twelve for a village (341225113201 蔡郢村).
 */
const CODE_DIGITS: Record<RegionLevel, number> = { city: 6, county: 6, town: 9, village: 12 };

export function requireRegionCode(value: unknown, level: RegionLevel, field = 'code'): string {
  const digits = CODE_DIGITS[level];
  if (typeof value !== 'string' || !new RegExp(`^\\d{${digits}}$`).test(value)) {
    throw new ValidationError(
      field,
      `the administrative code of a ${level} (${REGION_LEVEL_LABELS[level]}) is ${digits} digits`,
    );
  }
  return value;
}

/** The part of a region's code its children's codes begin with (a city's four digits, otherwise the whole code). */
export function childCodePrefix(parent: { code: string; level: RegionLevel }): string {
  return parent.level === 'city' ? parent.code.slice(0, 4) : parent.code;
}

export function requireRegionLevel(value: unknown, field = 'level'): RegionLevel {
  if (!REGION_LEVELS.includes(value as RegionLevel))
    throw new ValidationError(field, `${field} must be one of ${REGION_LEVELS.join(', ')}`);
  return value as RegionLevel;
}

export function requireRole(value: unknown, field = 'role'): Role {
  if (!ROLES.includes(value as Role)) throw new ValidationError(field, `${field} must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

/** A category code as findings and campaigns name it: `dangerous-housing`, `four-ones`… */
export function requireCategoryCode(value: unknown, field = 'code'): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) {
    throw new ValidationError(
      field,
      `${field} is lower-case letters, digits and hyphens (e.g. dangerous-housing), at most 63`,
    );
  }
  return value;
}

/** Login names: letters, digits, `.`, `_` and `-`, 2 to 64, compared without case. */
export function requireUsername(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(value)) {
    throw new ValidationError(
      field,
      `${field} is 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return value;
}

/** The directory streams: `region-<id>`, `unit-<id>`, `user-<id>`, `category-<id>`. */
export const regionStreamName = (regionId: string) => `region-${regionId}`;
export const unitStreamName = (unitId: string) => `unit-${unitId}`;
export const userStreamName = (userId: string) => `user-${userId}`;
export const categoryStreamName = (categoryId: string) => `category-${categoryId}`;

/** The event types of the directory (regions, units, users, categories), for subscriptions that keep its tables. */
export const DIRECTORY_EVENT_PREFIXES = ['Region', 'Unit', 'User', 'Category'] as const;

/**
 * Only an admin changes the directory; the engine itself does when it bootstraps (the first admin, the demo, an
 * import).
 */
export function authorizeDirectoryChange(actor: Actor, commandType: string): void {
  if (actor.role !== 'system') authorizeRole(actor, ['admin'], commandType);
}
