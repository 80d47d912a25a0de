import { Command } from '../shared';
import type { BulletinFile, BulletinPeriod, BulletinScope } from './bulletin.events';

/**
 * Issue a bulletin (情况通报), or a new version of one already issued: the files are made before the command (from
 * the read models as they stood at `asOf`) and the command records them with their SHA-256.
 */
export type IssueBulletin = Command<
  'IssueBulletin',
  {
    bulletinId: string;
    title: string;
    scope: BulletinScope;
    period: BulletinPeriod;
    asOf: string;
    files: readonly BulletinFile[];
    scheduleId?: string | null;
    /** A new version of an issued bulletin (same scope and period); without it, issuing again is a no-op. */
    reissue?: boolean;
  }
>;

export type BulletinCommand = IssueBulletin;
