import { ChannelAddress } from '../notifications/notification-channel.port';

export const DIRECTORY = Symbol('Directory');

export const REGION_LEVELS = ['city', 'county', 'town', 'village'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** A node of the jurisdiction tree 市 › 县 › 乡镇 › 村. */
export interface Region {
  readonly id: string;
  /** Administrative division code (行政区划代码). */
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
  readonly parentId: string | null;
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

export type UnitChannel = ChannelAddress & { readonly audience: 'unit' | 'head' };

export interface Directory {
  listRegions(): Promise<Region[]>;
  getRegion(id: string): Promise<Region | null>;
  addRegion(region: Region): Promise<void>;
  listUnits(): Promise<Unit[]>;
  getUnit(id: string): Promise<Unit | null>;
  addUnit(unit: Unit): Promise<void>;
  /** Replaces a unit's delivery channels. */
  setUnitChannels(unitId: string, channels: readonly UnitChannel[]): Promise<void>;
}
