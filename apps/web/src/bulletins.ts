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
/** Sets up a weekly bulletin: the server gives it its id. */
export const addBulletinSchedule = (schedule: Omit<BulletinSchedule, 'scheduleId'>) =>
  request('POST', '/api/settings/bulletins', { ...schedule, campaignId: schedule.campaignId ?? undefined });
export const removeBulletinSchedule = (scheduleId: string) =>
  request('DELETE', `/api/settings/bulletins/${scheduleId}`);
