import {
  CommandMetadata,
  findingDecider,
  findingStreamName,
  rectificationTaskDecider,
  taskStreamName,
  TaskStatus,
} from '@zhenggai/domain';
import { decideAndAppend, StreamAccess } from '../command-handling/decide-and-append';
import { loadStream } from '../command-handling/load-stream';

export interface ResolveFindingInput {
  readonly findingId: string;
}

/** The finding's revision after the decision; null for a finding that was never filed. */
export type ResolveFindingResult = { readonly revision: number } | null;

/**
 * A finding (问题) is resolved when all its tasks are closed, and reopened when one of them is open again: decided on
 * the status of each task it links. A finding that was never filed is passed over (null).
 */
export async function resolveFinding(
  deps: StreamAccess,
  input: ResolveFindingInput,
  metadata: CommandMetadata,
): Promise<ResolveFindingResult> {
  const stream = findingStreamName(input.findingId);
  const finding = await loadStream(deps.store, findingDecider, stream);
  if (finding.state.status === 'none') return null;
  const tasks: Array<{ taskId: string; status: TaskStatus }> = [];
  for (const taskId of finding.state.taskIds) {
    const { state } = await loadStream(deps.store, rectificationTaskDecider, taskStreamName(taskId));
    if (state.status !== 'none') tasks.push({ taskId, status: state.status });
  }
  const { revision } = await decideAndAppend(
    deps.store,
    findingDecider,
    stream,
    { type: 'ReconcileFindingResolution', data: { tasks }, metadata },
    { loaded: finding, cache: deps.cache },
  );
  return { revision };
}
