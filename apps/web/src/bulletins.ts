import { get, post, request } from './api';
import { endOfDay, today } from './format';

export type BulletinFormat = 'pdf' | 'docx';

export interface BulletinFile {
  readonly format: BulletinFormat;
  readonly fileName: string;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
}

/** A bulletin as listed: its latest version. */
export interface Bulletin {
  readonly id: string;
  readonly title: string;
  readonly scope: { readonly regionId: string | null; readonly campaignId: string | null };
  readonly period: { readonly from: string; readonly to: string };
  readonly asOf: string;
  readonly version: number;
  readonly issuedAt: string;
  readonly scheduled: boolean;
  readonly files: readonly BulletinFile[];
}

/** The headline figures a bulletin words (its tables are in the files). */
export interface BulletinFigures {
  readonly asOf: string;
  readonly scopeName: string;
  readonly campaignName: string | null;
  readonly totals: {
    readonly tasks: number;
    readonly open: number;
    readonly overdue: number;
    readonly closed: number;
    readonly closedOnTime: number;
    readonly closedLate: number;
  };
  readonly quantities: ReadonlyArray<{ readonly unit: string; readonly target: number; readonly done: number }>;
}

/** What issuing answers: the version recorded, its files, and (unless it was recorded already) its figures. */
export interface IssuedBulletin {
  readonly id: string;
  readonly version: number;
  readonly files: readonly BulletinFile[];
  readonly figures?: BulletinFigures;
}

export interface BulletinRequest {
  readonly scope: { readonly regionId?: string; readonly campaignId?: string };
  readonly period: { readonly from: string; readonly to: string };
  readonly asOf?: string;
  readonly title?: string;
}

export const listBulletins = () => get<Bulletin[]>('/api/bulletins');
export const issueBulletin = (request: BulletinRequest) => post<IssuedBulletin>('/api/bulletins', request);
export const reissueBulletin = (id: string, request: { asOf?: string }) =>
  post<IssuedBulletin>(`/api/bulletins/${id}/versions`, request);

/**
 * The instant a bulletin's figures are taken at for a chosen day: the end of a past day; today, none (the server
 * takes the moment it issues: the end of today is still to come).
 */
export const asOfOfDay = (date: string): string | undefined => (date && date < today() ? endOfDay(date) : undefined);

/** The day `days` before (negative: after) a calendar day, YYYY-MM-DD. */
export function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** A weekly bulletin (每周情况通报) an admin has set up: a region, optionally one campaign, a weekday and a time. */
export interface BulletinSchedule {
  readonly scheduleId: string;
  readonly regionId: string;
  readonly campaignId: string | null;
  /** 1 Monday … 7 Sunday. */
  readonly weekday: number;
  /** HH:MM, Beijing time. */
  readonly time: string;
}

export const listBulletinSchedules = () => get<BulletinSchedule[]>('/api/settings/bulletins');
export const setBulletinSchedule = ({ scheduleId, ...schedule }: BulletinSchedule) =>
  request('PUT', `/api/settings/bulletins/${scheduleId}`, {
    ...schedule,
    campaignId: schedule.campaignId ?? undefined,
  });
export const removeBulletinSchedule = (scheduleId: string) =>
  request('DELETE', `/api/settings/bulletins/${scheduleId}`);

/**
 * A new schedule's id. `crypto.randomUUID` exists only in a secure context; an office that serves the app over plain
 * HTTP on its own network still gets a random (version 4) UUID.
 */
export function newScheduleId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
