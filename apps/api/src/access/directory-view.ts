import { Inject, Injectable } from '@nestjs/common';
import {
  concernsActor,
  DIRECTORY,
  Directory,
  onBranchOf,
  Reach,
  reachOf,
  reachRootOf,
  Region,
  Unit,
} from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';

/**
 * What of the directory an actor sees: the regions of its subtree and the ones above it (to show where it
 * sits), and the units of those regions (the offices above assign and supervise). A unit user's subtree is its
 * unit's region. An admin and an unscoped user see everything.
 */
@Injectable()
export class DirectoryView {
  constructor(@Inject(DIRECTORY) private readonly directory: Directory) {}

  /** The root of what the actor sees, or null for the whole tree. */
  rootOf(actor: Actor): Promise<Region | null | 'nothing'> {
    return reachRootOf(this.directory, actor);
  }

  /** What the actor's figures are limited to: its unit's tasks, or its region subtree (nothing: no limit). */
  reachOf(actor: Actor): Reach {
    return reachOf(actor);
  }

  /** Whether something placed in a region (a campaign's scope; null: everywhere) concerns the actor. */
  overlaps(actor: Actor, regionId: string | null): Promise<boolean> {
    return concernsActor(this.directory, actor, regionId);
  }

  async regions(actor: Actor): Promise<Region[]> {
    const root = await this.rootOf(actor);
    return (await this.directory.listRegions()).filter((r) => onBranchOf(root, r));
  }

  async region(actor: Actor, id: string): Promise<Region | null> {
    const region = await this.directory.getRegion(id);
    return region && onBranchOf(await this.rootOf(actor), region) ? region : null;
  }

  async units(actor: Actor): Promise<Unit[]> {
    const visible = new Set((await this.regions(actor)).map((r) => r.id));
    return (await this.directory.listUnits()).filter((u) => visible.has(u.regionId));
  }

  async unit(actor: Actor, id: string): Promise<Unit | null> {
    const unit = await this.directory.getUnit(id);
    return unit && (await this.region(actor, unit.regionId)) ? unit : null;
  }
}
