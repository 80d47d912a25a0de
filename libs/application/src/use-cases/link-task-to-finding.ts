import { CommandMetadata, findingDecider, findingStreamName } from '@zhenggai/domain';
import { decideAndAppend, StreamAccess } from '../command-handling/decide-and-append';
import { UseCaseResult } from './use-case-deps';

export interface LinkTaskToFindingInput {
  readonly findingId: string;
  readonly taskId: string;
}

/** A task assigned on a finding is linked to it; linking what is linked already appends nothing. */
export async function linkTaskToFinding(
  deps: StreamAccess,
  input: LinkTaskToFindingInput,
  metadata: CommandMetadata,
): Promise<UseCaseResult> {
  const { revision } = await decideAndAppend(
    deps.store,
    findingDecider,
    findingStreamName(input.findingId),
    { type: 'LinkTaskToFinding', data: { taskId: input.taskId }, metadata },
    { cache: deps.cache },
  );
  return { id: input.findingId, revision };
}
