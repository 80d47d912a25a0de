import { MessageKind, RegionLevel } from '@zhenggai/domain';
import { ChannelAddress } from '../notifications/notification-channel.port';
import { QuietHours } from '../notifications/quiet-hours';

export const DIRECTORY = Symbol('Directory');

/** A node of the jurisdiction tree 市 › 县 › 乡镇 › 村. */
export interface Region {
  readonly id: string;
  /** Administrative division code (行政区划代码). */
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
  readonly parentId: string | null;
  /** Ids from the top of the tree down to this region itself (a region never moves). */
  readonly path: readonly string[];
}

/** A responsible unit (责任单位) or an office: a township government, a bureau, a village committee... */
export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly regionId: string;
  readonly headName: string | null;
  readonly contact: string | null;
  /** Where reminders to the unit (`unit`) or to its head (`head`) are delivered besides the in-app inbox. */
  readonly channels?: readonly UnitChannel[];
}

/**
 * One of a unit's channels: its address, whom of the unit it reaches, what it takes (absent or null: all) and, for
 * an e-mail address, its quiet hours (免打扰, Asia/Shanghai), in which nothing is sent to it.
 */
export type UnitChannel = ChannelAddress & {
  readonly audience: 'unit' | 'head';
  readonly takes?: readonly MessageKind[] | null;
  readonly quietHours?: QuietHours | null;
};

/** A category of problems, named by findings and campaigns by its code. */
export interface Category {
  readonly id: string;
  readonly code: string;
  readonly name: string;
}

/**
 * How current a read must be. A process may remember a region or unit it found for up to a minute (regions and
 * units are never deleted and a region never moves, so that is enough to check that one exists); `stored`
 * reads the tables as they are now, for what depends on a name, a head or channels changed a moment ago: whom
 * a message reaches, how, and what it says.
 */
export interface DirectoryRead {
  readonly stored?: boolean;
}

/** One directory event as the tables take it: the stream's revision makes applying it twice harmless. */
export interface DirectoryChange {
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly data: any;
}

/**
 * The directory's tables: regions, units, users and categories, kept from their events (streams `region-`,
 * `unit-`, `user-`, `category-`) by `apply`, which the command that wrote them calls at once and the worker
 * calls again from a checkpoint (so a crash between the two heals). Unit delivery channels are configuration
 * (they hold robot secrets): kept here, while history records each change with the addresses masked.
 */
export interface Directory {
  listRegions(): Promise<Region[]>;
  getRegion(id: string, read?: DirectoryRead): Promise<Region | null>;
  findRegionByCode(code: string): Promise<Region | null>;
  listUnits(): Promise<Unit[]>;
  getUnit(id: string, read?: DirectoryRead): Promise<Unit | null>;
  findUnitByName(name: string): Promise<Unit | null>;
  listCategories(): Promise<Category[]>;
  findCategoryByCode(code: string): Promise<Category | null>;
  /** Replaces a unit's delivery channels (the configuration; the use case records the change as an event). */
  setUnitChannels(unitId: string, channels: readonly UnitChannel[]): Promise<void>;
  /** Applies directory events to the tables, in order; an event already applied (by its revision) is skipped. */
  apply(changes: readonly DirectoryChange[]): Promise<void>;
}
