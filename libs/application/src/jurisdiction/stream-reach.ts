import {
  Actor,
  campaignDecider,
  campaignStreamName,
  findingDecider,
  FindingState,
  findingStreamName,
  rectificationTaskDecider,
  taskStreamName,
} from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { Directory } from '../directory/directory.port';
import { EventStore } from '../event-store/event-store.port';
import { concernsActor, coversRegion, maySeeTask, TaskReach, TaskReachDeps, TaskReachOf } from './jurisdiction';

export interface StreamReachDeps {
  readonly store: EventStore;
  readonly directory: Pick<Directory, 'getRegion' | 'getUnit'>;
}

/** A task's reach as its stream has it (the source of truth for who may read or act on it); null: no such task. */
export function storedTaskReach(store: EventStore): TaskReachOf {
  return async (taskId) => {
    const { state } = await loadStream(store, rectificationTaskDecider, taskStreamName(taskId));
    return state.status === 'none' ? null : state;
  };
}

/** What `maySeeTask` reads, from the event store and the directory. */
export function taskReachDeps(deps: StreamReachDeps): TaskReachDeps {
  return { directory: deps.directory, taskReachOf: storedTaskReach(deps.store) };
}

/**
 * What of a finding an actor may see: nothing (null) outside its region, and for a unit user nothing unless one
 * of the finding's tasks is its unit's; otherwise the finding with the ids of the tasks the actor may see (a unit
 * user does not learn of other units' tasks, not even their ids).
 */
export async function visibleTaskIdsOfFinding(
  deps: StreamReachDeps,
  actor: Actor,
  finding: Exclude<FindingState, { status: 'none' }>,
  taskState: (taskId: string) => Promise<TaskReach | null> = storedTaskReach(deps.store),
): Promise<readonly string[] | null> {
  if (!(await coversRegion(deps.directory, actor, finding.regionId))) return null;
  if (actor.role !== 'unit') return finding.taskIds;
  const visible: string[] = [];
  for (const taskId of finding.taskIds) {
    const task = await taskState(taskId);
    if (task && (await maySeeTask(taskReachDeps(deps), actor, task))) visible.push(taskId);
  }
  return visible.length > 0 ? visible : null;
}

/**
 * Whether a stream lies within an actor's reach, by what it is: a task or a finding the actor may read, or a
 * campaign that concerns its region. Any other stream (the directory's, say) does not, for anyone: callers that
 * let an unscoped user see everything say so themselves.
 */
export async function maySeeStream(deps: StreamReachDeps, actor: Actor, streamName: string): Promise<boolean> {
  const [category, ...rest] = streamName.split('-');
  const id = rest.join('-');
  if (category === 'rectificationTask' && streamName === taskStreamName(id)) {
    const { state } = await loadStream(deps.store, rectificationTaskDecider, streamName);
    return state.status !== 'none' && (await maySeeTask(taskReachDeps(deps), actor, state));
  }
  if (category === 'finding' && streamName === findingStreamName(id)) {
    const { state } = await loadStream(deps.store, findingDecider, streamName);
    return state.status !== 'none' && (await visibleTaskIdsOfFinding(deps, actor, state)) !== null;
  }
  if (category === 'campaign' && streamName === campaignStreamName(id)) {
    const { state } = await loadStream(deps.store, campaignDecider, streamName);
    return state.status !== 'none' && (await concernsActor(deps.directory, actor, state.scope.regionId));
  }
  return false;
}
