import { DomainEvent, LocalDate } from '../shared';

/** What a bulletin reports on: a region subtree (null: everywhere the issuer reaches) and/or one campaign. */
export interface BulletinScope {
  readonly regionId: string | null;
  readonly campaignId: string | null;
}

/** The days a bulletin reports (its send-backs and extensions), in Asia/Shanghai, both days included. */
export interface BulletinPeriod {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

export const BULLETIN_FORMATS = ['pdf', 'docx'] as const;
export type BulletinFormat = (typeof BULLETIN_FORMATS)[number];

/** One file of an issued bulletin, kept with the evidence store under `evidenceId`; its SHA-256 proves it unchanged. */
export interface BulletinFile {
  readonly format: BulletinFormat;
  readonly evidenceId: string;
  readonly sha256: string;
  readonly size: number;
  readonly fileName: string;
}

/**
 * 情况通报 issued: a fact once recorded. Each issue of the same bulletin (a reissue after a correction) is a new
 * version with its own files; an earlier version and its files are never changed.
 */
export type BulletinIssued = DomainEvent<
  'BulletinIssued',
  {
    bulletinId: string;
    version: number;
    title: string;
    scope: BulletinScope;
    period: BulletinPeriod;
    /** The instant the figures are taken at. */
    asOf: string;
    files: readonly BulletinFile[];
    issuedBy: string;
    /** The weekly schedule that issued it, when an admin's schedule did (null: a person did). */
    scheduleId: string | null;
  }
>;

export type BulletinEvent = BulletinIssued;

export function bulletinStreamName(bulletinId: string): string {
  return `bulletin-${bulletinId}`;
}
