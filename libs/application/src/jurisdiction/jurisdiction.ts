import { Actor } from '@zhenggai/domain';
import { Directory } from '../directory/directory.port';

/**
 * Who reaches what (DESIGN.md, "Users and what they do"). An inspector or a leader works inside its region
 * subtree (none set: the whole tree); a unit user reaches its own unit's tasks; an admin and the engine reach
 * everything. Whatever an actor cannot reach answers as if it did not exist, so existence does not leak.
 */
export async function coversRegion(directory: Pick<Directory, 'getRegion'>, actor: Actor, regionId: string | null): Promise<boolean> {
  if (actor.role === 'admin' || actor.role === 'system' || !actor.regionScopeId) return true;
  if (!regionId) return false;
  const region = await directory.getRegion(regionId);
  return region !== null && region.path.includes(actor.regionScopeId);
}

/** What decides whether a task is within reach: its place and its units. */
export interface TaskReach {
  readonly regionId: string;
  readonly leadUnitId: string;
  readonly cooperatingUnitIds: readonly string[];
}

export async function maySeeTask(directory: Pick<Directory, 'getRegion'>, actor: Actor, task: TaskReach): Promise<boolean> {
  if (actor.role === 'unit') return isUnitOf(actor, task);
  return coversRegion(directory, actor, task.regionId);
}

/** Whether the actor belongs to the task's lead unit or one of its cooperating units. */
export function isUnitOf(actor: Actor, task: Pick<TaskReach, 'leadUnitId' | 'cooperatingUnitIds'>): boolean {
  return !!actor.unitId && (task.leadUnitId === actor.unitId || task.cooperatingUnitIds.includes(actor.unitId));
}

/**
 * The region subtree a list is limited to for this actor: its scope, or null for the whole tree. (A unit user's
 * lists are limited by its unit instead.)
 */
export function scopeOf(actor: Actor): string | null {
  return actor.role === 'admin' || actor.role === 'system' || actor.role === 'unit' ? null : (actor.regionScopeId ?? null);
}
