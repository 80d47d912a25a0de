import { Actor } from '@zhenggai/domain';
import { Directory, Region } from '../directory/directory.port';

/**
 * Who reaches what (DESIGN.md, "Users and what they do"). An inspector or a leader works inside its region
 * subtree (none set: the whole tree); a unit user reaches its own unit's tasks; an admin and the engine reach
 * everything. Whatever an actor cannot reach answers as if it did not exist, so existence does not leak.
 */
export async function coversRegion(
  directory: Pick<Directory, 'getRegion'>,
  actor: Actor,
  regionId: string | null,
): Promise<boolean> {
  if (actor.role === 'admin' || actor.role === 'system' || !actor.regionScopeId) return true;
  if (!regionId) return false;
  const region = await directory.getRegion(regionId);
  return region !== null && liesWithin(region, actor.regionScopeId);
}

/**
 * Whether a region lies in the subtree under `rootId`, the root itself included: the one rule of region reach.
 * Its SQL twin is `IN_REGION_SUBTREE` in the read models' reach.sql.ts.
 */
export function liesWithin(region: Pick<Region, 'path'>, rootId: string): boolean {
  return region.path.includes(rootId);
}

/** What an actor's figures (lists, progress, scoreboard, audit) are limited to; neither set: no limit. */
export interface Reach {
  /** Only what is placed in this region's subtree (an inspector's or a leader's). */
  readonly regionId?: string;
  /** Only the tasks this unit leads or cooperates on (a unit user's). */
  readonly unitId?: string;
}

/** The reach of an actor's figures: its unit's tasks for a unit user, its region subtree for a scoped one. */
export function reachOf(actor: Actor): Reach {
  if (actor.role === 'unit') return { unitId: actor.unitId ?? NOBODY };
  const regionId = scopeOf(actor);
  return regionId ? { regionId } : {};
}

/** A unit id no unit has: a unit user without a unit reaches no task. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/** What decides whether a task is within reach: its place, its units and its place in a tree. */
export interface TaskReach {
  readonly regionId: string;
  readonly leadUnitId: string;
  readonly cooperatingUnitIds: readonly string[];
  /** For a sub-task, the unit that broke its parent down (and checks it); null for a top-level task. */
  readonly assigningUnitId: string | null;
  /** For a sub-task, the task it was broken down from; null for a top-level task. */
  readonly parentTaskId: string | null;
}

/** A task's reach by its id (its parent's, when walking up a tree); null when there is no such task. */
export type TaskReachOf = (taskId: string) => Promise<TaskReach | null>;

/** What deciding a task's reach reads: the directory (regions) and, for a unit user, the tasks above a sub-task. */
export interface TaskReachDeps {
  readonly directory: Pick<Directory, 'getRegion'>;
  readonly taskReachOf: TaskReachOf;
}

/** More levels than any region tree has: a tree read wrongly as a cycle stops here. */
const MAX_TREE_DEPTH = 32;

/**
 * Rule 5 of 逐级分解 (reach). A unit user reaches the tasks its unit leads or cooperates on, the sub-tasks it handed
 * out, and every sub-task below those at any depth (reading deeper is fine; acting on a sub-task is the domain's
 * `assigningUnitId` rule, one level only); the chain above its tasks it learns only as the tree's summary. Anyone
 * else reaches the tasks placed within its region subtree (a sub-task lies within its parent's place). The SQL twin
 * is `OF_UNIT` in the read models' reach.sql.ts.
 */
export async function maySeeTask(deps: TaskReachDeps, actor: Actor, task: TaskReach): Promise<boolean> {
  if (actor.role !== 'unit') return coversRegion(deps.directory, actor, task.regionId);
  let node: TaskReach | null = task;
  for (let level = 0; node && level < MAX_TREE_DEPTH; level++) {
    if (isOwnTask(actor, node)) return true;
    node = node.parentTaskId === null ? null : await deps.taskReachOf(node.parentTaskId);
  }
  return false;
}

/**
 * Whether a unit user reaches a task in full: the task or a task above it is its unit's (see `maySeeTask`), known
 * from the nodes of one tree, parents before their sub-tasks. The tree endpoint's rule, without reading streams.
 */
export function unitReachesInTree<T extends TaskReach & { readonly id: string }>(
  actor: Actor,
  nodes: readonly T[],
): Set<string> {
  const reached = new Set<string>();
  for (const node of nodes) {
    if (isOwnTask(actor, node) || (node.parentTaskId !== null && reached.has(node.parentTaskId))) reached.add(node.id);
  }
  return reached;
}

/** Where a unit user's reach starts: a task its unit leads or cooperates on, or handed out (it checks it). */
function isOwnTask(actor: Actor, task: TaskReach): boolean {
  return isUnitOf(actor, task) || (!!actor.unitId && task.assigningUnitId === actor.unitId);
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
  return actor.role === 'admin' || actor.role === 'system' || actor.role === 'unit'
    ? null
    : (actor.regionScopeId ?? null);
}

/**
 * Where an actor's reach is rooted: null for the whole tree (an admin, the engine, an unscoped inspector or
 * leader), its scope's region for a scoped one, its unit's region for a unit user; 'nothing' when that region
 * (or the unit) does not exist.
 */
export async function reachRootOf(
  directory: Pick<Directory, 'getRegion' | 'getUnit'>,
  actor: Actor,
): Promise<Region | null | 'nothing'> {
  const regionId =
    actor.role === 'unit'
      ? ((actor.unitId && (await directory.getUnit(actor.unitId))?.regionId) ?? null)
      : scopeOf(actor);
  if (actor.role !== 'unit' && regionId === null) return null;
  return (regionId && (await directory.getRegion(regionId))) || 'nothing';
}

/**
 * Whether a region lies on the same branch as the root of a reach: within its subtree, or above it (the city a
 * county sits in). The directory shows both; a city-wide campaign concerns a county.
 */
export function onBranchOf(root: Region | null | 'nothing', region: Pick<Region, 'id' | 'path'>): boolean {
  if (root === null) return true;
  if (root === 'nothing') return false;
  return liesWithin(region, root.id) || liesWithin(root, region.id);
}

/**
 * Whether something placed in a region (a campaign's scope; null: everywhere) concerns the actor: it lies within
 * the actor's subtree, or the actor's subtree lies within it.
 */
export async function concernsActor(
  directory: Pick<Directory, 'getRegion' | 'getUnit'>,
  actor: Actor,
  regionId: string | null,
): Promise<boolean> {
  const root = await reachRootOf(directory, actor);
  if (root === null || regionId === null) return root !== 'nothing';
  const region = await directory.getRegion(regionId);
  return !!region && onBranchOf(root, region);
}
